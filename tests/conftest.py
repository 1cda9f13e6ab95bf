"""Shared fixtures: settings from a clean environment, an offline call on a temp store."""

from __future__ import annotations

import os

import pytest

from config.settings import SECTIONS, Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's .env.local or shell: only what they set."""
    names = {name.upper() for cls in SECTIONS.values() for name in cls.model_fields}
    for name in list(os.environ):
        if name in names or name.startswith(("LIVEKIT_", "WEBHOOK_")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_settings():
    def make(**sections: dict) -> Settings:
        return load_settings(**sections)

    return make
