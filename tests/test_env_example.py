"""`.env.example` documents every setting with its default: it is generated, never stale,
and what it says about a default is what the code does. So are the README's and the docs'
tables."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from dotenv import dotenv_values
from pydantic.fields import FieldInfo

from config.example import _env_name, render
from config.section import Section
from config.settings import SECTIONS

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = [
    (cls, name, field, _env_name(name, field))
    for cls in SECTIONS.values()
    for name, field in cls.model_fields.items()
]
IDS = [env for *_, env in SETTINGS]


def test_env_example_is_current() -> None:
    committed = (ROOT / ".env.example").read_text()
    assert committed == render(), "run `python -m config.example > .env.example`"


def read(cls: type[Section], name: str, env: dict[str, str] | None = None) -> Any:
    """The value the code ends up with when the environment holds exactly `env`."""
    with mock.patch.dict(os.environ, env or {}):
        return getattr(cls(), name)


def is_unset(value: Any) -> bool:
    return value is None or value in ("", [], (), {})


def documented_line(env: str) -> str:
    """The value `.env.example` shows for `env`, read the way `.env.local` is read."""
    lines = [ln for ln in (ROOT / ".env.example").read_text().splitlines()]
    [line] = [ln.removeprefix("# ") for ln in lines if ln.startswith(f"# {env}=")]
    return dotenv_values(stream=io.StringIO(line))[env] or ""


@pytest.mark.parametrize(("cls", "name", "field", "env"), SETTINGS, ids=IDS)
def test_uncommenting_a_line_of_env_example_changes_nothing(
    cls: type[Section], name: str, field: FieldInfo, env: str
) -> None:
    # "Each line shows the default": so setting it is the same as leaving it unset.
    assert read(cls, name, {env: documented_line(env)}) == read(cls, name), env


@pytest.mark.parametrize(("cls", "name", "field", "env"), SETTINGS, ids=IDS)
def test_what_a_description_says_about_unset_and_empty_is_true(
    cls: type[Section], name: str, field: FieldInfo, env: str
) -> None:
    text = field.description or ""
    if re.search(r"\bunset\b[:,]", text, re.IGNORECASE):  # "(unset: none)", "Unset: no ..."
        assert is_unset(read(cls, name)), f"{env}: says what happens when unset, has a default"
    if re.search(r"\bempty\b[:,]", text, re.IGNORECASE):  # "(empty: forever)"
        assert is_unset(read(cls, name, {env: ""})), f"{env}: empty doesn't turn it off"
    for claimed in re.findall(r"\(default:? ([^)]+)\)", text):
        assert read(cls, name, {env: claimed}) == read(cls, name), f"{env}: default {claimed}"


def readme_defaults() -> list[tuple[str, str]]:
    """(variable, default column) of every one-variable row of the README's and the docs'
    tables."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    text = "\n".join(page.read_text() for page in pages)
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \| ([^|]+) \|", text, re.M)
    return [(env, default.strip()) for env, default in rows]


def test_the_readme_tables_give_the_real_defaults() -> None:
    settings = {env: (cls, name) for cls, name, _, env in SETTINGS}
    checked = 0
    for env, default in readme_defaults():
        if env not in settings:
            continue
        cls, name = settings[env]
        literal = re.fullmatch(r"`([^`]*)`", default)
        if default.lower().startswith(("unset", "empty", "off")) or (
            literal and literal.group(1) in settings  # "falls back to TRANSFER_NUMBER"
        ):
            assert is_unset(read(cls, name)), f"README or docs: {env} defaults to {default}"
        elif literal:
            assert read(cls, name, {env: literal.group(1)}) == read(cls, name), (
                f"README or docs: {env} defaults to {default}"
            )
        else:
            continue
        checked += 1
    assert checked >= 20  # the tables are really read
