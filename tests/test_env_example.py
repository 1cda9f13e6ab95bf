"""`.env.example` documents every setting, with its default: it is generated, never stale."""

from __future__ import annotations

from pathlib import Path

from config.example import render
from config.settings import SECTIONS

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_is_current() -> None:
    committed = (ROOT / ".env.example").read_text()
    assert committed == render(), "run `python -m config.example > .env.example`"


def test_every_setting_appears_in_env_example() -> None:
    text = (ROOT / ".env.example").read_text()
    for cls in SECTIONS.values():
        for name, field in cls.model_fields.items():
            alias = field.validation_alias
            env = (alias.choices[-1] if alias is not None else name).upper()
            assert f"{env}=" in text, f"{env} is missing from .env.example"
