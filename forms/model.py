"""What a form file says: a name, instructions, a welcome, ordered fields, an ending.

A form is data (YAML), validated by these models when it is loaded. Every rule states how
to fix a mistake, because the message is what the author of the file reads
(`forms.loader` adds the file name and the field path).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

FieldType = Literal[
    "string",
    "number",
    "boolean",
    "choice",
    "date",
    "email",
    "phone",
    "address",
    "person_name",
    "date_of_birth",
    "keypad_digits",
    "object",
    "list",
]
FIELD_TYPES: tuple[str, ...] = FieldType.__args__  # type: ignore[attr-defined]

# Collected by a LiveKit prebuilt task (top-level fields only).
COLLECTOR_TYPES = frozenset(
    {"email", "phone", "address", "person_name", "date_of_birth", "keypad_digits"}
)
# Allowed inside an object or a list item: the caller's answer fits in one tool call.
SUB_FIELD_TYPES = ("string", "number", "boolean", "choice", "date", "email", "phone", "object")

NamePart = Literal["first", "middle", "last"]
DateRange = Literal["any", "past", "future"]

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
IDENTIFIER_HINT = "use lower_snake_case: a letter, then letters, digits or underscores"

# `ask` / `ask_another`: fixed words spoken to the caller, so one short spoken question.
ASK_MAX_LENGTH = 200
_ASK_EXAMPLES = {"ask": "What's your date of birth?", "ask_another": "Any other medication?"}


# Words the caller hears or the model reads: what each is for, said when one is blank.
_WORDING = {
    "title": "write a short name for people, e.g. `title: Table booking`",
    "instructions": "say who the agent is and what the form is for",
    "welcome": "write the words said before the first question",
    "description": "say in one sentence what to ask the caller for",
    "final_words": "write the words said before the call ends, e.g. `final_words: Goodbye.`",
    "incomplete_words": "write the words said when the form can't be completed",
}
_OPTIONAL_WORDING = {"title", "welcome", "incomplete_words"}  # may be left out


def _wording(value: object, info: ValidationInfo) -> object:
    """Before type validation: wording that is missing its words is a mistake, not an
    empty line said to the caller (or an empty instruction given to the model)."""
    key = str(info.field_name)
    remove = ", or remove it" if key in _OPTIONAL_WORDING else ""
    if value is None:
        raise ValueError(f"`{key}` has nothing after it: {_WORDING[key]}{remove}")
    if isinstance(value, str) and not value.strip():
        raise ValueError(f"`{key}` is blank: {_WORDING[key]}{remove}")
    return value


def _empty_ask(key: str) -> str:
    return (
        f"`{key}` is empty: write the words the caller hears, e.g. "
        f'`{key}: "{_ASK_EXAMPLES[key]}"`, or remove it to let the model ask'
    )


# Which options apply to which types (anything else on a field is a mistake).
_OPTIONS: dict[str, frozenset[str]] = {
    "string": frozenset({"min_length", "max_length", "pattern"}),
    "number": frozenset({"min", "max", "integer"}),
    "boolean": frozenset(),
    "choice": frozenset({"choices"}),
    "date": frozenset({"dates"}),
    "email": frozenset({"confirm"}),
    "phone": frozenset({"confirm"}),
    "address": frozenset({"confirm"}),
    "person_name": frozenset({"name_parts", "confirm"}),
    "date_of_birth": frozenset({"confirm"}),
    "keypad_digits": frozenset({"digits", "confirm"}),
    "object": frozenset({"fields"}),
    "list": frozenset({"fields", "item_name", "min_items", "max_items", "ask_another"}),
}
_ALL_OPTIONS = frozenset().union(*_OPTIONS.values())


def _unique_names(fields: list[FormField]) -> list[FormField]:
    seen: dict[str, int] = {}
    for index, f in enumerate(fields):
        if f.name in seen:
            raise ValueError(
                f"duplicate field name {f.name!r} (fields[{seen[f.name]}] and fields[{index}]): "
                "names are the keys of `results`, so they must be unique at each level; "
                "rename one of them"
            )
        seen[f.name] = index
    return fields


class FormField(BaseModel):
    """One piece of information to collect."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="The key in `results` (lower_snake_case).")
    type: FieldType
    description: str = Field(
        min_length=1, description="What to ask for, as the model sees it (one sentence)."
    )
    required: bool = True
    sensitive: bool = Field(
        default=False,
        description=(
            "The answer is masked in the call record's transcript and summary (it stays in "
            "`results`): the caller's words while it is asked, and the value wherever it "
            "appears."
        ),
    )
    ask: str | None = Field(
        default=None,
        description=(
            "The question, spoken verbatim when the field's turn comes (no model call); "
            "unset: the model asks, and may skip a field the caller already answered."
        ),
    )
    # string
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    pattern: str | None = None
    # number (finite: `.inf` or `.nan` is a mistake, not a bound)
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)
    integer: bool = False
    # choice
    choices: list[str] | None = None
    # date
    dates: DateRange = "any"
    # prebuilt collectors
    confirm: bool | None = Field(
        default=None,
        description="Read the answer back for confirmation (unset: on for voice, off for text).",
    )
    name_parts: list[NamePart] | None = None
    digits: int | None = Field(default=None, ge=1, le=32)
    # object / list
    fields: list[FormField] | None = None
    item_name: str | None = None
    min_items: int | None = Field(default=None, ge=0)
    max_items: int | None = Field(default=None, ge=1)
    ask_another: str | None = Field(
        default=None,
        description="List only: spoken verbatim after each item (unset: the model asks).",
    )

    @field_validator("name", "item_name")
    @classmethod
    def _identifier(cls, value: str | None) -> str | None:
        if value is not None and not IDENTIFIER.match(value):
            raise ValueError(f"{value!r} is not a valid name: {IDENTIFIER_HINT}")
        return value

    _description_words = field_validator("description", mode="before")(_wording)

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(
                    f"pattern {value!r} is not a valid regular expression: {exc}"
                ) from None
        return value

    @field_validator("ask", "ask_another")
    @classmethod
    def _spoken(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        key = str(info.field_name)
        value = " ".join(value.split())  # a YAML block may leave newlines; it's one spoken line
        if not value:
            raise ValueError(_empty_ask(key))
        if len(value) > ASK_MAX_LENGTH:
            raise ValueError(
                f"`{key}` is {len(value)} characters long; the caller hears it "
                f"verbatim, so keep it to one short spoken question (at most {ASK_MAX_LENGTH} "
                "characters) and put details in `description`"
            )
        return value

    @field_validator("fields")
    @classmethod
    def _unique(cls, value: list[FormField] | None) -> list[FormField] | None:
        return _unique_names(value) if value is not None else None

    @model_validator(mode="after")
    def _consistent(self) -> FormField:
        allowed = _OPTIONS[self.type]
        for option in sorted(_ALL_OPTIONS - allowed):
            if option in self.model_fields_set:
                where = sorted(t for t, opts in _OPTIONS.items() if option in opts)
                raise ValueError(
                    f"`{option}` does not apply to a {self.type} field (it is for: "
                    f"{', '.join(where)}); remove it or change the type"
                )
        for key in ("ask", "ask_another"):
            if key in self.model_fields_set and getattr(self, key) is None:
                raise ValueError(_empty_ask(key))  # `ask:` with nothing after it reads as null
        problem = getattr(self, f"_check_{self.type}", lambda: None)()
        if problem:
            raise ValueError(problem)
        return self

    def _check_string(self) -> str | None:
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            return (
                f"bad bounds: min_length ({self.min_length}) is greater than max_length "
                f"({self.max_length}); swap them or fix one"
            )
        return None

    def _check_number(self) -> str | None:
        if self.min is not None and self.max is not None and self.min > self.max:
            return f"bad bounds: min ({self.min:g}) is greater than max ({self.max:g}); swap them"
        if self.integer:
            for label, bound in (("min", self.min), ("max", self.max)):
                if bound is not None and bound != int(bound):
                    return f"bad bounds: {label} ({bound:g}) must be a whole number when integer"
        return None

    def _check_choice(self) -> str | None:
        if not self.choices:
            return "a choice field needs `choices`: a list of the allowed answers"
        if len(set(self.choices)) != len(self.choices):
            return "`choices` has duplicates; list each answer once"
        if any(not c.strip() for c in self.choices):
            return "`choices` has an empty answer; remove it"
        return None

    def _check_person_name(self) -> str | None:
        if self.name_parts is not None and not self.name_parts:
            return "`name_parts` is empty; list at least one of first, middle, last"
        return None

    def _check_keypad_digits(self) -> str | None:
        if self.digits is None:
            return "a keypad_digits field needs `digits`: how many digits the caller enters"
        return None

    def _check_object(self) -> str | None:
        return self._check_sub_fields("an object")

    def _check_list(self) -> str | None:
        problem = self._check_sub_fields("a list")
        if problem:
            return problem
        if (
            self.min_items is not None
            and self.max_items is not None
            and self.min_items > self.max_items
        ):
            return (
                f"bad bounds: min_items ({self.min_items}) is greater than max_items "
                f"({self.max_items}); swap them"
            )
        return None

    def _check_sub_fields(self, what: str) -> str | None:
        if not self.fields:
            return (
                f"{what} field needs `fields`: the sub-fields of "
                f"{'each item' if what == 'a list' else 'the object'}, e.g. "
                "`fields: [{name: dose, type: string, description: ...}]`"
            )
        for sub in self.fields:
            if sub.type not in SUB_FIELD_TYPES:
                return (
                    f"sub-field {sub.name!r} has type {sub.type}, which can't be nested; "
                    f"inside {what} use one of: {', '.join(SUB_FIELD_TYPES)}"
                )
            if sub.ask is not None:
                return (
                    f"sub-field {sub.name!r} has `ask`, but sub-fields are not asked one by "
                    f"one: {what} is asked as a whole; move the question to the `ask` of "
                    f"{self.name!r}"
                )
        return None

    @property
    def parts(self) -> list[NamePart]:
        """The name parts a person_name field collects."""
        return list(self.name_parts or ["first", "last"])

    @property
    def item_label(self) -> str:
        return self.item_name or "item"


class FormEnding(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    final_words: str = Field(
        min_length=1, description="Said verbatim once everything is collected; then the call ends."
    )
    incomplete_words: str = Field(
        default="I'm sorry we couldn't finish this today. Thank you for calling, goodbye.",
        min_length=1,
        description="Said verbatim when the form can't be completed (a required answer refused).",
    )
    summary: bool | None = Field(
        default=None, description="Generate a call summary (unset: FORMS_SUMMARY decides)."
    )

    _words = field_validator("final_words", "incomplete_words", mode="before")(_wording)


class Form(BaseModel):
    """A data-collection form."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str = ""
    instructions: str = Field(min_length=1)
    welcome: str | None = Field(
        default=None, description="Said verbatim before the first question."
    )
    fields: list[FormField] = Field(min_length=1)
    ending: FormEnding

    _words = field_validator("title", "instructions", "welcome", mode="before")(_wording)

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError(f"{value!r} is not a valid form name: {IDENTIFIER_HINT}")
        return value

    @field_validator("fields")
    @classmethod
    def _unique(cls, value: list[FormField]) -> list[FormField]:
        return _unique_names(value)

    @property
    def label(self) -> str:
        return self.title or self.name.replace("_", " ")

    def field(self, name: str) -> FormField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)
