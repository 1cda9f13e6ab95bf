"""Load and validate form files: every problem names the file, the field path and the fix.

    form = load_form("forms/templates/patient_intake.yaml")
    library = load_library("forms/templates")     # every *.yaml / *.yml in the directory

Both raise `FormError`, whose `.problems` lists every mistake found (not just the first).
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from forms.model import FIELD_TYPES, Form, FormEnding, FormField
from forms.yaml_source import SourceError, decode_utf8, parse_yaml

FORM_SUFFIXES = (".yaml", ".yml")
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"  # the forms that ship

_KEY_HINTS = {
    "name": "give it a lower_snake_case name",
    "type": f"set `type` to one of: {', '.join(FIELD_TYPES)}",
    "description": "say in one sentence what to ask the caller for",
    "instructions": "say who the agent is and what the form is for",
    "fields": "list the fields to collect, in order",
    "ending": "add `ending:` with `final_words:` (said before the call ends)",
    "final_words": "add the words said before the call ends",
}


_LIMITS = {"min", "max", "min_length", "max_length", "min_items", "max_items"}


class FormError(Exception):
    """One or more form files are wrong. `problems` has one line per mistake."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in form files:\n{lines}")


def _path_of(loc: tuple[Any, ...], data: Any) -> str:
    """`('fields', 3, 'fields', 0, 'type')` -> `fields.medications.fields.name.type`, using the
    names written in the file where there are some, indexes otherwise."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            item = node[key] if isinstance(node, list) and key < len(node) else None
            name = item.get("name") if isinstance(item, Mapping) else None
            if isinstance(name, str) and name:
                parts.append(name)
            elif parts:
                parts[-1] += f"[{key}]"
            else:
                parts.append(f"[{key}]")
            node = item
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, Mapping) else None
    return ".".join(parts) or "(top level)"


def _message(error: dict[str, Any], model_keys: Iterable[str]) -> tuple[tuple[Any, ...], str]:
    loc = tuple(error["loc"])
    kind = error["type"]
    got = error.get("input")
    key = str(loc[-1]) if loc else ""
    if kind == "missing":
        return loc, f"`{key}` is missing: {_KEY_HINTS.get(key, f'add `{key}`')}"
    if kind == "literal_error" and key == "type":
        close = difflib.get_close_matches(str(got), FIELD_TYPES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return loc, (f"unknown type {got!r}{hint}; use one of: {', '.join(FIELD_TYPES)}")
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(key, list(model_keys), n=1)
        hint = f"did you mean `{close[0]}`?" if close else "remove it"
        return loc, f"unknown key `{key}`: {hint}"
    if kind == "finite_number":
        shown = {math.inf: ".inf", -math.inf: "-.inf"}.get(got, ".nan")
        limit = ", or remove it for no limit" if key in _LIMITS else ""
        return loc, f"`{key}` must be a finite number, not {shown}; write a number{limit}"
    if kind == "float_type" and isinstance(got, int):
        return loc, f"`{key}` is too large a number; write a smaller one"
    message = str(error["msg"]).removeprefix("Value error, ")
    if got is not None and not isinstance(got, dict | list) and kind != "value_error":
        message = f"{message} (got {got!r})"
    return loc, message


_MODEL_KEYS = set(Form.model_fields) | set(FormField.model_fields) | set(FormEnding.model_fields)


def parse_form(data: Any, *, source: str) -> Form:
    """Validate already-parsed form data; `source` names it in messages."""
    if not isinstance(data, Mapping):
        raise FormError(
            [f"{source}: a form file must be a mapping with name, instructions, fields, ending"]
        )
    try:
        return Form.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc, message = _message(error, _MODEL_KEYS)
            problems.append(f"{source}: {_path_of(loc, data)}: {message}")
        raise FormError(problems) from None


def load_form(path: str | Path) -> Form:
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormError([f"{source}: can't read the file ({exc.strerror})"]) from None
    try:
        data = parse_yaml(decode_utf8(raw, source=source), source=source)
    except SourceError as exc:
        raise FormError(exc.problems) from None
    if data is None:
        raise FormError([f"{source}: the file is empty"])
    return parse_form(data, source=source)


def form_files(paths: Iterable[str | Path]) -> list[Path]:
    """The form files named by `paths` (files, or directories searched for *.yaml/*.yml)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(f for f in p.iterdir() if f.suffix in FORM_SUFFIXES))
        else:
            found.append(p)
    return found


@dataclass(frozen=True)
class FormLibrary:
    """The forms of a deployment, by name."""

    forms: dict[str, Form] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.forms

    def get(self, name: str) -> Form:
        try:
            return self.forms[name]
        except KeyError:
            known = ", ".join(sorted(self.forms)) or "none"
            raise KeyError(f"no form named {name!r} (forms: {known})") from None

    @property
    def names(self) -> list[str]:
        return sorted(self.forms)


def load_files(files: Iterable[Path]) -> FormLibrary:
    forms: dict[str, Form] = {}
    sources: dict[str, Path] = {}
    problems: list[str] = []
    for file in files:
        try:
            form = load_form(file)
        except FormError as exc:
            problems.extend(exc.problems)
            continue
        if form.name in forms:
            problems.append(
                f"{file}: name: form name {form.name!r} is also used by {sources[form.name]}; "
                "form names must be unique, rename one"
            )
            continue
        forms[form.name] = form
        sources[form.name] = file
    if problems:
        raise FormError(problems)
    return FormLibrary(forms=forms, sources=sources)


def load_library(directory: str | Path) -> FormLibrary:
    directory = Path(directory)
    if not directory.is_dir():
        raise FormError([f"{directory}: no such directory of forms"])
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in form_files([directory]))
    return _load_cached(str(directory.resolve()), stamp)


@functools.lru_cache(maxsize=8)
def _load_cached(directory: str, stamp: tuple[tuple[str, int], ...]) -> FormLibrary:
    return load_files(Path(name) for name, _ in stamp)
