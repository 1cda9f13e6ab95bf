"""Form answers marked `sensitive: true`: masked in the transcript and the summary.

The value stays in `results`, where the integrator asked for it. Everywhere else it is
replaced by `[masked: <field>]`:

- the caller's words while a sensitive field's task is active are withheld whole (the
  answer may be said in any form: "one two three", a spelling, a correction);
- the arguments of a tool called by that task are masked leaf by leaf;
- anywhere else (an agent reading the value back, the caller repeating it later, the
  summary) the value itself is replaced: written as given, any case, any spacing, and for
  a value with four or more digits, those digits with any separators between them
  ("123-45-6789", "123 45 6789"). Values shorter than three characters are only masked
  through the first rule: masking "4" everywhere would mask every "4".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from forms.model import Form, FormField

MIN_VALUE_LENGTH = 3
MIN_DIGITS = 4
_SEPARATORS = r"[\s\-./()]*"


def mask_token(name: str) -> str:
    return f"[masked: {name}]"


def _is_sensitive(f: FormField) -> bool:
    return f.sensitive or any(_is_sensitive(sub) for sub in f.fields or [])


def sensitive_fields(form: Form | None) -> list[str]:
    """Top-level fields whose answers are sensitive (themselves, or any of their parts)."""
    if form is None:
        return []
    return [f.name for f in form.fields if _is_sensitive(f)]


def _leaves(f: FormField, value: Any, *, inherited: bool = False) -> Iterator[Any]:
    """The sensitive scalar values inside `value`, the answer to `f`."""
    sensitive = inherited or f.sensitive
    if isinstance(value, dict):
        subs = {s.name: s for s in f.fields or []}
        for key, item in value.items():
            sub = subs.get(key)
            if sub is not None:
                yield from _leaves(sub, item, inherited=sensitive)
            elif sensitive:
                yield from _leaves(f, item, inherited=True)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(f, item, inherited=sensitive)
    elif sensitive and value is not None and not isinstance(value, bool):
        yield value


@dataclass
class Redactor:
    """Masks the sensitive answers of one call."""

    fields: frozenset[str] = frozenset()
    patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    @classmethod
    def for_call(cls, form: Form | None, results: dict[str, Any]) -> Redactor:
        names = sensitive_fields(form)
        patterns: list[tuple[re.Pattern[str], str]] = []
        if form is not None:
            for name in names:
                for value in _leaves(form.field(name), results.get(name)):
                    patterns.extend((p, mask_token(name)) for p in _value_patterns(str(value)))
        # longest first, so a value containing another is masked whole
        patterns.sort(key=lambda pair: len(pair[0].pattern), reverse=True)
        return cls(fields=frozenset(names), patterns=patterns)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def is_sensitive(self, field_name: str | None) -> bool:
        return field_name is not None and field_name in self.fields

    def text(self, text: str) -> tuple[str, bool]:
        """`text` with every sensitive value masked, and whether anything was."""
        masked = text
        for pattern, token in self.patterns:
            masked = pattern.sub(token, masked)
        return masked, masked != text

    def arguments(self, arguments: dict[str, Any], field_name: str) -> dict[str, Any]:
        """Tool arguments of a sensitive field's task: every value masked, keys kept."""
        token = mask_token(field_name)

        def mask(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: mask(v) for k, v in value.items()}
            if isinstance(value, list):
                return [mask(v) for v in value]
            return token

        return {k: mask(v) for k, v in arguments.items()}

    def value(self, value: Any) -> Any:
        """Any JSON value with sensitive values masked in its strings."""
        if isinstance(value, str):
            return self.text(value)[0]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value


def _value_patterns(value: str) -> list[re.Pattern[str]]:
    value = value.strip()
    patterns = []
    if len(value) >= MIN_VALUE_LENGTH:
        words = [re.escape(w) for w in value.split()]
        patterns.append(re.compile(r"\s+".join(words), re.IGNORECASE))
    digits = re.sub(r"\D", "", value)
    if len(digits) >= MIN_DIGITS:
        patterns.append(re.compile(rf"(?<!\d){_SEPARATORS.join(digits)}(?!\d)"))
    return patterns
