"""Configuration: every model, voice, wording, policy, form and endpoint is data."""

from config.settings import Settings, SettingsError, load_settings

__all__ = ["Settings", "SettingsError", "load_settings"]
