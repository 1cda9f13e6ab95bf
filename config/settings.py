"""One typed settings object, read from the environment once at start.

Each concept owns a section (a pydantic-settings model reading flat environment
variables). `load_settings()` reads every section and, if any value is missing or wrong,
raises one `SettingsError` that names every problem and the variable to set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import AliasChoices, ValidationError
from pydantic_settings.exceptions import SettingsError as SourceError

from config.call_record import CallRecordSettings
from config.consent import ConsentSettings
from config.delivery import DeliverySettings
from config.forms import FormSettings
from config.hours import HoursSettings
from config.limits import LimitSettings
from config.livekit import LiveKitSettings
from config.lookup import LookupSettings
from config.manager import ManagerSettings
from config.models import ModelSettings
from config.persona import PersonaSettings
from config.section import Section
from config.store import StoreSettings
from config.telephony import TelephonySettings
from config.wording import WordingSettings

S = TypeVar("S", bound=Section)


class SettingsError(Exception):
    """Raised once at start with every configuration problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{len(problems)} configuration problem(s):\n{lines}\n"
            "Set these in .env.local (see .env.example for every variable and its default)."
        )


@dataclass(frozen=True)
class Settings:
    livekit: LiveKitSettings
    models: ModelSettings
    persona: PersonaSettings
    consent: ConsentSettings
    manager: ManagerSettings
    store: StoreSettings
    wording: WordingSettings
    forms: FormSettings
    telephony: TelephonySettings
    delivery: DeliverySettings
    call_record: CallRecordSettings
    limits: LimitSettings
    hours: HoursSettings
    lookup: LookupSettings


SECTIONS: dict[str, type[Section]] = {
    "livekit": LiveKitSettings,
    "models": ModelSettings,
    "persona": PersonaSettings,
    "consent": ConsentSettings,
    "manager": ManagerSettings,
    "store": StoreSettings,
    "wording": WordingSettings,
    "forms": FormSettings,
    "telephony": TelephonySettings,
    "delivery": DeliverySettings,
    "call_record": CallRecordSettings,
    "limits": LimitSettings,
    "hours": HoursSettings,
    "lookup": LookupSettings,
}


_SECRET_WORDS = ("SECRET", "KEY", "TOKEN", "PASSWORD", "HEADERS")


def _variable(section: type[Section], loc: tuple[Any, ...]) -> str:
    """The variable to name: for a setting read from several variables, the one that is
    set, else the one .env.example shows (the last choice)."""
    name = "_".join(str(part) for part in loc if isinstance(part, str))
    for field_name, field in section.model_fields.items():
        alias = field.validation_alias
        choices = [str(c) for c in alias.choices] if isinstance(alias, AliasChoices) else []
        if name == field_name or name in choices:
            names = [c.upper() for c in choices] or [field_name.upper()]
            return next((n for n in names if os.environ.get(n)), names[-1])
    return name.upper()


def _without_password(value: str) -> str:
    """A URL with its password left out (`DATABASE_URL` may carry one); other text as is."""
    try:
        password = urlsplit(value).password if "://" in value else None
    except ValueError:
        return value
    return value.replace(f":{password}@", "@", 1) if password else value


def _describe(section: type[Section], error: dict[str, Any]) -> str:
    variable = _variable(section, error["loc"])
    got = error.get("input")
    if any(word in variable for word in _SECRET_WORDS):
        got = None  # never echo a secret back, even a malformed one
    if isinstance(got, str):
        got = _without_password(got)
    message = error["msg"].removeprefix("Value error, ")
    if not variable:  # a whole-section check: its message names the variables
        return message
    if error["type"] == "missing":
        return f"{variable} is required but not set"
    if isinstance(got, str | int | float) and not isinstance(got, bool):
        return f"{variable}={got!r}: {message}"
    return f"{variable}: {message}"


def _field_in(message: str) -> str:
    # pydantic-settings says: error parsing value for field "name" from source "..."
    parts = message.split('"')
    return parts[1] if len(parts) > 1 else message


def _read(cls: type[S], values: dict[str, Any], problems: list[str]) -> S | None:
    """One section, or None with what is wrong with it added to `problems`."""
    try:
        return cls(**values)
    except ValidationError as exc:
        problems.extend(_describe(cls, e) for e in exc.errors())
    except SourceError as exc:  # a value that couldn't even be parsed (e.g. bad JSON)
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        problems.append(f"{_field_in(str(exc)).upper()} could not be read{cause}")
    return None


def load_settings(**overrides: Any) -> Settings:
    """Read every section from the environment; `overrides` maps a section name to a dict of
    field values that win over the environment (used by tests and the rehearsal)."""
    problems: list[str] = []
    sections = {
        name: _read(cls, overrides.get(name, {}), problems) for name, cls in SECTIONS.items()
    }
    if problems:
        raise SettingsError(problems)
    sections["consent"].speak_for(sections["persona"].company_name)  # type: ignore[attr-defined]
    _fill_lines(sections)
    return Settings(**sections)  # type: ignore[arg-type]


def _fill_lines(sections: dict[str, Section]) -> None:
    """Lines the caller hears that the environment leaves unset come from the call's
    language file (`call:`), so one catalogue a language holds every fixed word."""
    lines = sections["consent"].language.call  # type: ignore[attr-defined]
    for name in ("wording", "telephony", "limits", "hours"):
        section = sections[name]
        unset = {
            key: getattr(lines, key)
            for key in type(lines).model_fields
            if key in type(section).model_fields and getattr(section, key) is None
        }
        sections[name] = section.model_copy(update=unset)


def load_section(cls: type[S], **values: Any) -> S:
    """One section alone, for a command that needs no other (`python -m ops`): what
    `load_settings().<section>` would be, and the same SettingsError if it is wrong.
    `values` win over the environment."""
    problems: list[str] = []
    section = _read(cls, values, problems)
    if section is None:
        raise SettingsError(problems)
    return section
