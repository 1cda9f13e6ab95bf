"""The rehearsal's answers in a form: the caller's words read by the recording tool's schema.

A form's field task offers one tool that records the answer (`record_<field>`, a list's
`add_<item>`, or one of LiveKit's collectors' `update_*` / `record_inputs`). The stand-in
reads the caller's words as that tool's arguments, as a model would: a number for a
number, one of the choices for a choice, yes or no for a boolean, the words themselves for
text. An answer in several parts (an object, a list item, an address) is given with commas
("ibuprofen, 200 mg, twice a day"), in the order the form lists its parts. What it can't
read is asked again; a refusal or "I don't know" declines; "that's all" ends a list.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from offline.rehearsal_table import FormLines
from offline.scripted_llm import Reply, Request, call

_ANSWER_TOOLS = re.compile(r"^(record_(?!consent$)|add_)\w+$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_INTRO = re.compile(
    r"^\W*(my name is|my name's|i am|i'm|it's|it is|this is|name is|that's|that is)\s+", re.I
)


def answer_tool(r: Request, collectors: dict[str, str]) -> str | None:
    """The tool that records this step's answer, if a form step (or collector) is active."""
    for name in r.tool_names:
        if name in collectors or _ANSWER_TOOLS.match(name):
            return name
    return None


def form_reply(r: Request, forms: FormLines, render: Any) -> Reply | None:
    """The stand-in's turn in a form step; None when no form step is active."""
    tool = answer_tool(r, forms.collectors)
    if tool is None:
        return None
    schema = r.parameters(tool)
    description = _description(r, tool)
    options = _options(schema)
    decline = next((n for n in r.tool_names if n.startswith("decline_")), None)
    finish = next((n for n in r.tool_names if n.startswith("finish_")), None)
    confirm = next((n for n in r.tool_names if n.startswith("confirm_")), None)
    values = {"description": description, "options": options}

    output = r.last_tool_output
    if output is not None:
        if output.is_error:
            return render(forms.ask_again, values)
        return render("Got it. Any other?" if finish else "Got it.", values)
    if not r.answering_user:
        return render(forms.collectors.get(tool, forms.ask), values)

    said = r.last_user_text.strip()
    if finish and forms.finish_list.search(said):
        return call(finish)
    if confirm and forms.affirm.search(said):
        return call(confirm)
    if decline and forms.decline.search(said):
        return call(decline, reason=said)
    arguments = read_answer(tool, schema, said, forms)
    if arguments is None:
        if decline and forms.deny.search(said):
            return call(decline, reason=said)
        return render(forms.ask_again, values)
    return call(tool, **arguments)


def read_answer(tool: str, schema: dict[str, Any], said: str, forms: FormLines) -> dict | None:
    """The tool's arguments read from the caller's words, or None if they don't fit."""
    special = _COLLECTORS.get(tool)
    if special is not None:
        return special(said, forms)
    properties: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    defs = schema.get("$defs") or {}
    if list(properties) == ["value"]:
        value = read_value(_resolve(properties["value"], defs), said, forms)
        return None if value is None else {"value": value}
    parts = [p.strip() for p in re.split(r"[,;]", said) if p.strip()]
    arguments: dict[str, Any] = {}
    for name, part in zip(properties, parts, strict=False):
        value = read_value(_resolve(properties[name], defs), part, forms)
        if value is not None:
            arguments[name] = value
    return arguments if required <= arguments.keys() else None


def read_value(schema: dict[str, Any], said: str, forms: FormLines) -> Any:
    """One value of type `schema` from the caller's words (None: it isn't there)."""
    kind = schema.get("type")
    if "enum" in schema:
        return _choice(schema["enum"], said)
    if kind == "boolean":
        if forms.affirm.search(said):
            return True
        return False if forms.deny.search(said) else None
    if kind in ("integer", "number"):
        return _number(said, forms, integer=kind == "integer")
    if kind == "array":
        return None
    if schema.get("format") == "date":
        found = _date(said, forms)
        return found.isoformat() if found else None
    text = _INTRO.sub("", said).strip()
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, text):
        last = text.split()[-1] if text.split() else ""
        return last if re.search(pattern, last) else None
    limit = schema.get("maxLength")
    return (text[:limit] if limit else text) or None


def summary_of(r: Request, forms: FormLines) -> str:
    """A form's call summary from what the request gives: the form, its status, the results."""
    asked = r.last_user_text
    form = re.search(r"Form: (.+?) \(status: (\w+)\)", asked)
    results = re.search(r"Results: (\{.*\})", asked)
    try:
        answers = json.loads(results.group(1)) if results else {}
    except ValueError:
        answers = {}
    listed = "; ".join(f"{k.replace('_', ' ')}: {_spoken(v)}" for k, v in answers.items())
    return forms.summary.format(
        label=form.group(1) if form else "The form",
        status=form.group(2) if form else "ended",
        results=listed or "nothing was collected",
    )


# -- reading -------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """An optional field's schema (anyOf with null) or a $ref, as its plain type."""
    if "$ref" in schema:
        return _resolve(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), defs)
    for option in schema.get("anyOf") or []:
        if option.get("type") != "null":
            return _resolve(option, defs)
    return schema


def _choice(choices: list[Any], said: str) -> Any:
    words = set(re.findall(r"[a-z0-9]+", said.lower()))
    text = " ".join(re.findall(r"[a-z0-9]+", said.lower()))
    for choice in choices:
        tokens = re.findall(r"[a-z0-9]+", str(choice).lower())
        if tokens and (set(tokens) <= words or " ".join(tokens) in text):
            return choice
    return None


def _number(said: str, forms: FormLines, *, integer: bool) -> int | float | None:
    digits = re.search(r"-?\d+(\.\d+)?", said)
    if digits:
        value = float(digits.group(0))
    else:
        words = re.findall(r"[a-z]+", said.lower())
        word = next((w for w in words if w in forms.numbers), None)
        if word is None:
            return None
        value = float(forms.numbers.index(word))
    if integer:
        return int(value) if value.is_integer() else None
    return value


def _date(said: str, forms: FormLines) -> dt.date | None:
    text = said.lower()
    try:
        iso = re.search(r"\d{4}-\d{2}-\d{2}", text)
        if iso:
            return dt.date.fromisoformat(iso.group(0))
        slashed = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        if slashed:
            month, day, year = (int(g) for g in slashed.groups())
            return dt.date(year, month, day)
        year = re.search(r"\b(19|20)\d{2}\b", text)
        month = next(
            (
                n
                for n, names in enumerate(forms.months, 1)
                for w in names
                if re.search(rf"\b{w}\b", text)
            ),
            None,
        )
        day = re.search(r"\b(\d{1,2})(st|nd|rd|th)?\b", re.sub(r"\b\d{4}\b", "", text))
        if year and month and day:
            return dt.date(int(year.group(0)), month, int(day.group(1)))
    except ValueError:
        return None
    return None


def _spoken(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_spoken(v) for v in value) or "none"
    if isinstance(value, dict):
        parts = [_spoken(v) for v in value.values() if v is not None]
        names = all(k.endswith("_name") for k in value)  # a person's name: "Grace Hopper"
        return (" " if names else ", ").join(parts)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "not given" if value is None else str(value)


def _description(r: Request, tool: str) -> str:
    for offered in r.tools:
        info = getattr(offered, "info", None)
        if info is not None and getattr(info, "name", None) == tool:
            raw = getattr(info, "raw_schema", None)
            text = (raw or {}).get("description") if raw else getattr(info, "description", "")
            text = (text or "").strip()
            inside = re.search(r"\((.+)\)$", text)
            return inside.group(1) if inside else text.split(": ", 1)[-1]
    return "that"


def _options(schema: dict[str, Any]) -> str:
    value = _resolve((schema.get("properties") or {}).get("value") or {}, {})
    choices = value.get("enum")
    return f" One of: {', '.join(str(c).replace('_', ' ') for c in choices)}." if choices else ""


# -- LiveKit's collectors take their own arguments -------------------------------------------


def _name(said: str, forms: FormLines) -> dict | None:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", _INTRO.sub("", said))]
    if len(words) < 2:
        return None
    return {"first_name": words[0], "last_name": words[-1]}


def _email(said: str, forms: FormLines) -> dict | None:
    text = re.sub(r"\s+at\s+", "@", said.strip(), flags=re.I)
    text = re.sub(r"\s+dot\s+", ".", text, flags=re.I)
    found = _EMAIL.search(text)
    return {"email": found.group(0)} if found else None


def _phone(said: str, forms: FormLines) -> dict | None:
    digits = re.sub(r"[^\d+]", "", said)
    return {"phone_number": digits} if len(digits.lstrip("+")) >= 7 else None


def _dob(said: str, forms: FormLines) -> dict | None:
    found = _date(said, forms)
    return {"year": found.year, "month": found.month, "day": found.day} if found else None


def _address(said: str, forms: FormLines) -> dict | None:
    parts = [p.strip() for p in said.split(",") if p.strip()]
    if len(parts) < 3:
        return None
    return {
        "street_address": parts[0],
        "unit_number": "",
        "locality": ", ".join(parts[1:-1]),
        "country": parts[-1],
    }


def _digits(said: str, forms: FormLines) -> dict | None:
    digits = re.findall(r"\d", said)
    return {"inputs": digits} if digits else None


_COLLECTORS = {
    "update_name": _name,
    "update_email_address": _email,
    "update_phone_number": _phone,
    "update_dob": _dob,
    "update_address": _address,
    "record_inputs": _digits,
}
