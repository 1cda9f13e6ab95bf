"""Validate what the model says the caller answered, typed from the form's field.

`answer_model(field)` is a pydantic model of one tool call's arguments; `validate_answer`
turns a bad value into a message the model can act on (it goes back as a ToolError).
Phone numbers are stored in E.164, read in the line's region (`phone_region`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    create_model,
)

from forms.model import FormField
from forms.phone import to_e164
from forms.schema import EMAIL_PATTERN, value_schema

PHONE_REGION = "phone_region"  # validation context: the region of numbers without a +


class AnswerError(ValueError):
    """The model's value breaks the field's rules; `str()` says which and why."""


def _check_date(rule: str) -> Any:
    def check(value: dt.date) -> dt.date:
        today = dt.date.today()
        if rule == "past" and value > today:
            raise ValueError(f"{value.isoformat()} is in the future; this date must be past")
        if rule == "future" and value < today:
            raise ValueError(f"{value.isoformat()} is in the past; this date must be upcoming")
        return value

    return AfterValidator(check)


def _e164(value: str, info: ValidationInfo) -> str:
    return to_e164(value, region=(info.context or {}).get(PHONE_REGION))


def _python_type(f: FormField) -> Any:
    match f.type:
        case "string" | "address":
            return Annotated[
                str,
                StringConstraints(
                    strip_whitespace=True,
                    min_length=max(f.min_length or 0, 1),
                    max_length=f.max_length,
                    pattern=f.pattern,
                ),
            ]
        case "number":
            base = int if f.integer else float
            return Annotated[base, Field(ge=f.min, le=f.max, strict=False, allow_inf_nan=False)]
        case "boolean":
            return bool
        case "choice":
            return Literal[tuple(f.choices or ())]  # type: ignore[misc]
        case "date":
            return Annotated[dt.date, _check_date(f.dates)]
        case "email":
            return Annotated[str, StringConstraints(strip_whitespace=True, pattern=EMAIL_PATTERN)]
        case "phone":
            return Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_e164)]
        case "object":
            return item_model(f)
    raise TypeError(f"{f.type} fields are collected by a prebuilt task, not a typed answer")


def _fields_model(name: str, fields: list[FormField]) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    for f in fields:
        kind = _python_type(f)
        if f.required:
            definitions[f.name] = (kind, Field(description=f.description))
        else:
            definitions[f.name] = (kind | None, Field(default=None, description=f.description))
    return create_model(  # type: ignore[call-overload]
        name, __config__=ConfigDict(extra="forbid"), **definitions
    )


def item_model(f: FormField) -> type[BaseModel]:
    """One object (an object field's value, or one item of a list field)."""
    return _fields_model(f"{f.name}_item", f.fields or [])


def answer_model(f: FormField) -> type[BaseModel]:
    """The arguments of the tool that records `f`: its sub-fields for an object, else `value`."""
    if f.type == "object":
        return item_model(f)
    return _fields_model(f"{f.name}_answer", [f.model_copy(update={"name": "value"})])


def tool_parameters(f: FormField, *, item: bool = False) -> dict[str, Any]:
    """The JSON Schema the model sees for the recording tool's arguments."""
    if f.type in ("object", "list") or item:
        from forms.schema import object_schema

        schema = object_schema(f.fields or [], tool=True)
        for sub in f.fields or []:
            if not sub.required:  # the model omits what the caller didn't say
                schema["properties"][sub.name] = {
                    "description": sub.description,
                    **value_schema(sub, tool=True),
                }
        return schema
    return {
        "type": "object",
        "properties": {"value": {"description": f.description, **value_schema(f, tool=True)}},
        "required": ["value"],
        "additionalProperties": False,
    }


def describe_errors(error: ValidationError) -> str:
    parts = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"]) or "value"
        message = str(e["msg"]).removeprefix("Value error, ")
        got = e.get("input")
        shown = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
        parts.append(f"{where}: {message}{shown}")
    return "; ".join(parts)


def validate_answer(
    model: type[BaseModel], arguments: dict[str, Any], *, phone_region: str | None = None
) -> dict[str, Any]:
    """The arguments as JSON values (dates as YYYY-MM-DD, phones as E.164 read in
    `phone_region`), or AnswerError with the reasons."""
    try:
        validated = model.model_validate(arguments, context={PHONE_REGION: phone_region})
        return validated.model_dump(mode="json")
    except ValidationError as exc:
        raise AnswerError(describe_errors(exc)) from None
