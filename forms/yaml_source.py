"""Read a form file's YAML strictly, with the line and the field of every problem.

- The file must be UTF-8: a byte that isn't is reported with its line and the field it is
  in (a file saved as Latin-1 or Windows-1252 used to crash the loader).
- A key written twice in one mapping, at any depth, is a mistake (YAML would keep the last
  one silently).

    data = parse_yaml(decode_utf8(raw, source="booking.yaml"), source="booking.yaml")

Both raise `SourceError` with one line per problem: `file:line:column: field.path: what
is wrong; how to fix it`. Field paths use the `name` written in the file for list items,
like the loader's own messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_REPORTED = 5  # bytes that aren't UTF-8, reported one by one


class SourceError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _name_of(node: Node) -> str | None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, ScalarNode)
                and key.value == "name"
                and isinstance(value, ScalarNode)
            ):
                return value.value or None
    return None


def _walk(
    node: Node, path: tuple[str, ...], seen: set[int]
) -> Iterator[tuple[tuple[str, ...], Node]]:
    """Every node with its field path, parents before children (aliases visited once)."""
    if id(node) in seen:
        return
    seen.add(id(node))
    yield path, node
    if isinstance(node, MappingNode):
        for key, value in node.value:
            label = key.value if isinstance(key, ScalarNode) else "?"
            yield from _walk(value, (*path, str(label)), seen)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            name = _name_of(item)
            if name:
                item_path = (*path, name)
            elif path:
                item_path = (*path[:-1], f"{path[-1]}[{index}]")
            else:
                item_path = (f"[{index}]",)
            yield from _walk(item, item_path, seen)


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path) or "(top level)"


def _where(node: Node, source: str) -> str:
    mark = node.start_mark
    return f"{source}:{mark.line + 1}:{mark.column + 1}"


def duplicate_keys(root: Node, source: str) -> list[str]:
    problems = []
    for path, node in _walk(root, (), set()):
        if not isinstance(node, MappingNode):
            continue
        first: dict[tuple[str, str], Node] = {}
        for key, _ in node.value:
            if not isinstance(key, ScalarNode) or key.tag == MERGE_TAG:
                continue
            ident = (key.tag, key.value)
            if ident not in first:
                first[ident] = key
                continue
            earlier, later = first[ident].start_mark.line + 1, key.start_mark.line + 1
            lines = f"lines {earlier} and {later}" if earlier != later else f"both on line {later}"
            problems.append(
                f"{_where(key, source)}: {_dotted((*path, key.value))}: `{key.value}` is "
                f"written twice in the same place ({lines}); YAML would keep only the last "
                "one, so keep the one you mean and delete the other"
            )
    return problems


def _yaml_problem(exc: yaml.YAMLError, source: str) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{source}{where}: not valid YAML ({problem}); check indentation and quoting"


def parse_yaml(text: str, *, source: str) -> Any:
    """The document in `text` (None if empty); SourceError for broken YAML or a key
    written twice."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        problems = duplicate_keys(root, source)
        if problems:
            raise SourceError(problems)
        return loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise SourceError([_yaml_problem(exc, source)]) from None
    finally:
        loader.dispose()


def _bad_bytes(raw: bytes) -> list[int]:
    """The offsets of every byte sequence that isn't UTF-8."""
    bad, start = [], 0
    while True:
        try:
            raw[start:].decode("utf-8")
            return bad
        except UnicodeDecodeError as exc:
            bad.append(start + exc.start)
            start += exc.end


def _field_at(text: str, index: int) -> str | None:
    """The field path of the value that holds character `index` of `text`, if the YAML
    can be read at all."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    found = None
    for path, node in _walk(root, (), set()):
        if _holds(node, index):
            found = path  # the deepest node holding it comes last
        if isinstance(node, MappingNode):
            for key, _ in node.value:
                if isinstance(key, ScalarNode) and _holds(key, index):
                    return f"{_dotted((*path, key.value))} (in the key)"
    return _dotted(found) if found is not None else None


def _holds(node: Node, index: int) -> bool:
    return node.start_mark.index <= index < node.end_mark.index


def decode_utf8(raw: bytes, *, source: str) -> str:
    """`raw` as text; SourceError naming the line and field of every byte that isn't UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    readable = raw.decode("utf-8", errors="replace")
    problems: list[str] = []
    offsets = _bad_bytes(raw)
    for offset in offsets[:MAX_REPORTED]:
        line = raw.count(b"\n", 0, offset) + 1
        column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
        index = len(raw[:offset].decode("utf-8", errors="replace"))
        field = _field_at(readable, index)
        where = f" {field}:" if field else ""
        problems.append(
            f"{source}:{line}:{column}:{where} byte 0x{raw[offset]:02x} is not UTF-8 text; "
            "save the file as UTF-8 (the encoding is usually a choice in the editor's "
            "Save As dialog)"
        )
    if len(offsets) > MAX_REPORTED:
        problems.append(f"{source}: {len(offsets) - MAX_REPORTED} more bytes that are not UTF-8")
    raise SourceError(problems)
