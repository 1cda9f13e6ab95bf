"""Where the worker connects and under which name it is dispatched."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from config.section import Section


class LiveKitSettings(Section):
    livekit_url: str | None = Field(
        default=None, description="wss:// URL of your LiveKit project (unset: offline rehearsal)."
    )
    livekit_api_key: str | None = Field(default=None, description="LiveKit API key.")
    livekit_api_secret: SecretStr | None = Field(default=None, description="LiveKit API secret.")
    agent_name: str = Field(
        default="consent-agent",
        min_length=1,
        validation_alias=AliasChoices("livekit_agent_name", "agent_name"),
        description=(
            "Name the SIP dispatch rule targets. LIVEKIT_AGENT_NAME and "
            "LIVEKIT_AGENT_NAME_OVERRIDE (LiveKit's own) take precedence."
        ),
    )

    @property
    def has_credentials(self) -> bool:
        return bool(self.livekit_api_key and self.livekit_api_secret)
