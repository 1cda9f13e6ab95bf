"""The base of every settings section: flat environment variables, read once."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Section(BaseSettings):
    """A group of settings read from environment variables named like the fields, upper case.

    `.env.local` is loaded into the environment by the entrypoint (python-dotenv) before
    sections are read, so a section only ever looks at `os.environ`.
    """

    model_config = SettingsConfigDict(
        case_sensitive=False,
        extra="ignore",
        frozen=True,
        env_parse_none_str="",
    )
