"""Configuration: every model, voice, wording, policy, form and endpoint is data.

The names below are imported lazily, so a package's own settings section (which imports
`config.section`) can be loaded by `config.settings` without an import loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from config.settings import Settings, SettingsError, load_settings

__all__ = ["Settings", "SettingsError", "load_settings"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from config import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'config' has no attribute {name!r}")
