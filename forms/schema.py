"""JSON Schema for a form's `results`, and for the whole call payload.

The same per-field schemas type the tool arguments the model fills in (`tasks/form_field.py`),
so what the model is offered, what the code accepts and what integrators validate agree.

    results_schema(form)                 # a complete call: required fields are required
    results_schema(form, partial=True)   # a call that ended early: anything may be missing
    payload_schema(form)                 # the stored/delivered record, by status
"""

from __future__ import annotations

from typing import Any

from forms.model import Form, FormField
from forms.phone import E164_PATTERN
from store.call_record_schema import call_record_schema

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# What livekit's prebuilt email collector accepts (beta/workflows/email_address.py).
EMAIL_PATTERN = (
    r"^[A-Za-z0-9][A-Za-z0-9._%+\-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)
_NAME_KEYS = {"first": "first_name", "middle": "middle_name", "last": "last_name"}


def value_schema(f: FormField, *, partial: bool = False, tool: bool = False) -> dict[str, Any]:
    """The schema of one answer (without the null of a declined optional field). `tool`:
    as the model writes it in a tool call (a phone as said; it is stored in E.164)."""
    s: dict[str, Any]
    match f.type:
        case "string" | "address":
            s = {"type": "string", "minLength": max(f.min_length or 0, 1)}
            if f.max_length is not None:
                s["maxLength"] = f.max_length
            if f.pattern is not None:
                s["pattern"] = f.pattern
        case "number":
            s = {"type": "integer" if f.integer else "number"}
            if f.min is not None:
                s["minimum"] = int(f.min) if f.integer else f.min
            if f.max is not None:
                s["maximum"] = int(f.max) if f.integer else f.max
        case "boolean":
            s = {"type": "boolean"}
        case "choice":
            s = {"type": "string", "enum": list(f.choices or [])}
        case "date" | "date_of_birth":
            s = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
        case "email":
            s = {"type": "string", "format": "email", "pattern": EMAIL_PATTERN}
        case "phone" if tool:
            s = {"type": "string", "minLength": 1}
        case "phone":
            s = {"type": "string", "pattern": E164_PATTERN}
        case "keypad_digits":
            s = {"type": "string", "pattern": rf"^[0-9*#]{{{f.digits}}}$"}
        case "person_name":
            keys = [_NAME_KEYS[p] for p in f.parts]
            s = {
                "type": "object",
                "properties": {k: {"type": "string", "minLength": 1} for k in keys},
                "required": [] if partial else keys,
                "additionalProperties": False,
            }
        case "object":
            s = object_schema(f.fields or [], partial=partial, tool=tool)
        case "list":
            items = object_schema(f.fields or [], partial=partial, tool=tool)
            s = {"type": "array", "items": items}
            if f.min_items and not partial:
                s["minItems"] = f.min_items
            if f.max_items is not None:
                s["maxItems"] = f.max_items
        case _:  # pragma: no cover - FieldType is closed
            raise ValueError(f"unknown field type {f.type}")
    return s


def field_schema(f: FormField, *, partial: bool = False, tool: bool = False) -> dict[str, Any]:
    """One answer as it appears in `results`: optional fields may be null (declined)."""
    s = value_schema(f, partial=partial, tool=tool)
    if not f.required or partial:
        s = {"anyOf": [s, {"type": "null"}]}
    return {"description": f.description, **s}


def object_schema(
    fields: list[FormField], *, partial: bool = False, tool: bool = False
) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.name: field_schema(f, partial=partial, tool=tool) for f in fields},
        "required": [] if partial else [f.name for f in fields if f.required],
        "additionalProperties": False,
    }


def results_schema(form: Form, *, partial: bool = False) -> dict[str, Any]:
    """JSON Schema of `results` for this form. Complete calls: every required field is
    present; optional fields are present too, null when the caller declined."""
    s = object_schema(form.fields, partial=partial)
    if not partial:
        s["required"] = [f.name for f in form.fields]
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:consent-agent:form:{form.name}:results",
        "title": f"{form.label} results",
        **s,
    }


def payload_schema(form: Form) -> dict[str, Any]:
    """JSON Schema of the call record delivered for this form: the call record's schema
    (`docs/call-record.schema.json`) with `results` typed from the form, complete when
    `status` is "complete", partial otherwise."""
    complete = {k: v for k, v in results_schema(form).items() if not k.startswith("$")}
    partial = {k: v for k, v in results_schema(form, partial=True).items() if not k.startswith("$")}
    schema = call_record_schema()
    schema["properties"] = {**schema["properties"], "form": {"const": form.name}}
    return {
        **schema,
        "$id": f"urn:consent-agent:form:{form.name}:payload",
        "title": f"{form.label} call record",
        "if": {"properties": {"status": {"const": "complete"}}},
        "then": {"properties": {"results": complete}},
        "else": {"properties": {"results": partial}},
    }
