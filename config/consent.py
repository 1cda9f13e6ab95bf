"""What the caller hears about recording, and what happens when they say no.

The consent wording is played verbatim (never paraphrased by a model), so the record
can store the exact words and a version hash of them.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import Field

from config.section import Section

DenialPolicy = Literal["hang_up", "continue_unrecorded"]


class ConsentSettings(Section):
    company_name: str = Field(default="Acme Corp", min_length=1)
    consent_greeting: str = Field(default="Hello! Thank you for calling {company}.", min_length=1)
    consent_notice: str = Field(
        default="This call will be recorded for quality assurance and training purposes.",
        min_length=1,
    )
    consent_question: str = Field(default="Do you consent to this recording?", min_length=1)
    consent_keypad_hint: str = Field(
        default="You can also press 1 to agree, or 2 to decline.",
        description="Added to the question on phone calls, where keypad answers are accepted.",
    )
    consent_clarify: str = Field(
        default="Sorry, I need a clear yes or no: may we record this call?",
        min_length=1,
        description="Re-prompt for an answer that can't be read (e.g. an unknown key).",
    )
    consent_goodbye: str = Field(
        default=(
            "I understand. We can't continue this call without recording, so I'll end it now. "
            "Thank you for calling, goodbye."
        ),
        min_length=1,
    )
    consent_continue_unrecorded: str = Field(
        default="No problem, this call will not be recorded.", min_length=1
    )
    consent_denial_policy: DenialPolicy = Field(
        default="hang_up",
        description="hang_up: say goodbye and end the call; continue_unrecorded: help unrecorded.",
    )
    consent_max_unclear_answers: int = Field(
        default=2,
        ge=1,
        le=5,
        description="Unclear answers after which consent is not given (2: one clarification).",
    )
    record_session_before_consent: bool = Field(
        default=False,
        description=(
            "Let LiveKit Cloud upload session audio/transcripts from the first second. "
            "AgentSession(record=...) can't be switched on after consent, so leave this off "
            "unless your deployment may record before asking."
        ),
    )

    def render(self, text: str) -> str:
        return text.replace("{company}", self.company_name)

    def question_text(self, *, keypad: bool) -> str:
        parts = [self.consent_greeting, self.consent_notice, self.consent_question]
        if keypad and self.consent_keypad_hint:
            parts.append(self.consent_keypad_hint)
        return " ".join(self.render(p).strip() for p in parts)

    @staticmethod
    def wording_version(text: str) -> str:
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]
