"""The base of every settings section: flat environment variables, read once."""

from __future__ import annotations

from typing import Any, Final

from pydantic import AliasChoices, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()
"""What `Section.earlier` returns for a setting that has a problem of its own."""


class Section(BaseSettings):
    """A group of settings read from environment variables named like the fields, upper case.

    `.env.local` is loaded into the environment by the entrypoint (python-dotenv) before
    sections are read, so a section only ever looks at `os.environ`.

    Every problem is reported at once (config.settings.load_settings). So values are never
    JSON-decoded before validation: a malformed one would stop the section at the first
    problem. A field that takes JSON parses it in its own validator. A check that depends
    on another setting reads it with `earlier()`, so a wrong value there never hides a
    problem here. A variable set but empty (`FALLBACK_LLM_MODELS=`) is the empty
    collection for a list or mapping setting whose default is empty, and None otherwise.
    """

    model_config = SettingsConfigDict(
        case_sensitive=False,
        extra="ignore",
        frozen=True,
        env_parse_none_str="",
        enable_decoding=False,
    )

    @model_validator(mode="before")
    @classmethod
    def _empty_collections(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        empty_keys = set()
        for name, field in cls.model_fields.items():
            default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
            if isinstance(default, list | tuple | dict) and not default:
                alias = field.validation_alias
                empty_keys |= {name, *(alias.choices if isinstance(alias, AliasChoices) else ())}
        return {k: v for k, v in data.items() if not (k in empty_keys and v in (None, ""))}

    @field_validator("*", mode="before")
    @classmethod
    def _not_blank(cls, value: Any) -> Any:
        """A value of spaces is a mistake, never a setting (a spoken line of silence, a
        URL of nothing): say so rather than use it."""
        if isinstance(value, str) and value and not value.strip():
            raise ValueError("is blank (only spaces); unset it or give a value")
        return value

    @classmethod
    def earlier(cls, info: ValidationInfo, name: str) -> Any:
        """The value of setting `name`, declared above the field being validated: its
        validated value, or INVALID when it has a problem of its own (reported already).

        The rule for a check that depends on another setting: a requirement that follows
        from that setting being *given* (a secret with a URL) applies even when its value
        is INVALID; INVALID equals no particular value, so a check that depends on the
        value (`mode == "warm"`, `flag is True`) reads it as "not that value".
        """
        fields = list(cls.model_fields)
        if info.field_name is None or fields.index(name) >= fields.index(info.field_name):
            raise RuntimeError(f"{cls.__name__}: {name} must be declared above {info.field_name}")
        return info.data.get(name, INVALID)
