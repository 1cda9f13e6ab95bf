"""Who answers the phone: the company the agents speak for."""

from __future__ import annotations

from pydantic import Field

from config.section import Section


class PersonaSettings(Section):
    company_name: str = Field(
        default="Acme Corp",
        min_length=1,
        description="The company every agent speaks for ({company} in wording and forms).",
    )
