"""Configuration: every model, voice, wording, policy, form and endpoint is data.

`config.settings.load_settings()` reads every section (one module a concept: `consent`,
`telephony`, `delivery`, `forms`, ...) and reports every problem at once.
"""
