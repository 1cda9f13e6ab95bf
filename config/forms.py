"""Where forms come from and which call runs which form (FORMS_* environment variables).

FORMS_DIR=forms/templates                    # every *.yaml in it is a form (validated at start)
FORMS_DEFAULT=                               # a form for every call (empty: none)
FORMS_BY_NUMBER={"+15550100": "patient_intake"}   # dialled number -> form
FORMS_METADATA_KEY=form                      # dispatch metadata {"form": "..."} picks a form
FORMS_SALES_FORM=lead_qualification          # what the sales specialist starts (empty: none)
FORMS_MESSAGE_FORM=message                   # what the manager runs to take a message
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from config.section import INVALID, Section
from forms.loader import FormError, FormLibrary, load_library

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _unknown(name: str | None, info: ValidationInfo) -> str | None:
    """Why `name` names no form, or None (also when FORMS_DIR is wrong: that problem is
    reported on its own, and there are no forms to compare with)."""
    directory = FormSettings.earlier(info, "forms_dir")
    if not name or directory is INVALID:
        return None
    library = load_library(directory)
    if name in library:
        return None
    return f"no form named {name!r} in {directory} (forms: {', '.join(library.names) or 'none'})"


class FormSettings(Section):
    forms_dir: Path = Field(
        default=Path("forms/templates"),
        description="Directory of form files (*.yaml), relative to the project; checked at start.",
    )
    forms_default: str | None = Field(
        default=None, description="The form every call runs after consent (unset: none)."
    )
    forms_by_number: dict[str, str] = Field(
        default_factory=dict,
        description='JSON: dialled number (E.164) -> form name, e.g. {"+15550100": "intake"}.',
    )
    forms_metadata_key: str = Field(
        default="form",
        min_length=1,
        description="Key in the dispatch metadata (JSON) naming the form; wins over the number.",
    )
    forms_sales_form: str | None = Field(
        default="lead_qualification",
        description="The form the sales specialist starts from a tool (empty: none).",
    )
    forms_message_form: str | None = Field(
        default="message",
        description=(
            "The form the manager runs to take a message when no one can take the call "
            "(after hours); empty: none."
        ),
    )

    @field_validator("forms_dir")
    @classmethod
    def _forms_load(cls, value: Path) -> Path:
        value = value if value.is_absolute() else PROJECT_ROOT / value  # any working directory
        try:
            load_library(value)
        except FormError as exc:
            raise ValueError(
                "the forms don't load; fix each problem (check with `python -m forms validate`):"
                + "".join(f"\n      {p}" for p in exc.problems)
            ) from None
        return value

    @field_validator("forms_default", "forms_sales_form", "forms_message_form")
    @classmethod
    def _known_form(cls, value: str | None, info: ValidationInfo) -> str | None:
        problem = _unknown(value, info)
        if problem:
            raise ValueError(problem)
        return value or None

    @field_validator("forms_by_number", mode="before")
    @classmethod
    def _json_object(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value) if value.strip() else {}
        except ValueError:
            raise ValueError(
                'must be a JSON object of dialled numbers to form names, e.g. {"+15550100": '
                '"patient_intake"}'
            ) from None

    @field_validator("forms_by_number")
    @classmethod
    def _known_forms(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        problems = [
            problem
            for number, name in value.items()
            for problem in (
                None
                if _E164.match(number)
                else f"{number!r} is not an E.164 number like +15550100",
                _unknown(name, info),
            )
            if problem
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @property
    def library(self) -> FormLibrary:
        """The validated forms (loaded once; reloaded only if a file changes)."""
        return load_library(self.forms_dir)
