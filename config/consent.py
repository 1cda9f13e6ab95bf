"""What the caller hears about recording, how their answer is read, and what a no does.

The wording and the answer grammar come from a language file (`consent/languages/`,
chosen by `CONSENT_LANGUAGE`); any line can be overridden here. The wording is played
verbatim (never paraphrased by a model), so the record can store the exact words and a
version hash of them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from config.section import Section
from consent.language import ConsentLanguage, LanguageError, load_language
from consent.reading import Grammar

DenialPolicy = Literal["hang_up", "continue_unrecorded"]

_FROM_LANGUAGE = "Unset: the language file's words."
WordingKey = Literal[
    "greeting",
    "ai_disclosure",
    "notice",
    "question",
    "keypad_hint",
    "clarify",
    "confirm",
    "condition",
    "goodbye",
    "continue_unrecorded",
    "no_answer_goodbye",
    "no_answer_unrecorded",
    "withdrawn",
    "cannot_answer",
]


def _line(description: str) -> str | None:
    return Field(default=None, min_length=1, description=f"{description} {_FROM_LANGUAGE}")


class ConsentSettings(Section):
    consent_language: str = Field(
        default="en",
        description=(
            "Language of the consent question, of the grammar that reads the answer and of "
            "the whole call (agents and speech-to-text): a file consent/languages/<code>.yaml "
            "(built in: en, es, de, fr)."
        ),
    )
    consent_languages_dir: Path | None = Field(
        default=None,
        description="A folder of your own consent language files (<code>.yaml), searched first.",
    )
    consent_greeting: str | None = _line("First words of the call.")
    consent_disclose_ai: bool = Field(
        default=True,
        description=(
            "Tell the caller they are speaking with an AI (EU AI Act Art. 50(1)). Turning it "
            "off logs a warning at every start."
        ),
    )
    consent_ai_disclosure: str | None = _line("The AI disclosure, after the greeting.")
    consent_notice: str | None = _line("What is recorded and why.")
    consent_question: str | None = _line("The question itself.")
    consent_keypad_hint: str | None = _line(
        "Added to the question on phone calls, where keypad answers are accepted."
    )
    consent_clarify: str | None = _line("Re-prompt for an answer that can't be read.")
    consent_confirm: str | None = _line(
        "Asked once when an answer sounds like a yes but isn't a plain one."
    )
    consent_condition: str | None = _line(
        "Asked when the caller attaches a condition to their answer."
    )
    consent_goodbye: str | None = _line("Said before hanging up after a no.")
    consent_continue_unrecorded: str | None = _line("Said after a no when the call goes on.")
    consent_no_answer_goodbye: str | None = _line(
        "Said before hanging up when no clear answer came."
    )
    consent_no_answer_unrecorded: str | None = _line(
        "Said when no clear answer came and the call goes on unrecorded."
    )
    consent_withdrawn: str | None = _line("Said when the caller withdraws consent mid-call.")
    consent_cannot_answer: str | None = _line(
        "Said when the caller asks something the settings' facts don't answer."
    )
    consent_answer_purpose: str | None = _line(
        "Why calls are recorded (for the caller's questions)."
    )
    consent_answer_access: str | None = _line("Who can listen to recordings.")
    consent_answer_retention: str | None = _line("How long recordings are kept.")
    consent_denial_policy: DenialPolicy = Field(
        default="hang_up",
        description="hang_up: say goodbye and end the call; continue_unrecorded: help unrecorded.",
    )
    consent_max_unclear_answers: int = Field(
        default=2,
        ge=1,
        le=5,
        description=(
            "Unclear answers (not a yes, a no or a question) after which consent is not given "
            "(2: one clarification)."
        ),
    )
    consent_max_turns: int = Field(
        default=4,
        ge=1,
        le=10,
        description="Caller turns the question may take in all, questions included.",
    )
    consent_min_stt_confidence: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description=(
            "A spoken yes transcribed with less confidence than this (where the speech-to-text "
            "reports one) is confirmed with one more question. 0 turns this off."
        ),
    )
    record_session_before_consent: bool = Field(
        default=False,
        description=(
            "Let LiveKit Cloud upload session audio/transcripts from the first second. "
            "AgentSession(record=...) can't be switched on after consent, so leave this off "
            "unless your deployment may record before asking."
        ),
    )

    _company: str = PrivateAttr(default="Acme Corp")
    _language: ConsentLanguage | None = PrivateAttr(default=None)
    _grammar: Grammar | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _load_language(self) -> ConsentSettings:
        try:
            language = load_language(self.consent_language, self.consent_languages_dir)
        except LanguageError as exc:
            raise ValueError(
                f"CONSENT_LANGUAGE={self.consent_language!r}: " + "; ".join(exc.problems)
            ) from None
        self._language = language
        self._grammar = Grammar.of(language)
        return self

    def warnings(self) -> list[str]:
        """Legal settings worth a word at start."""
        if not self.consent_disclose_ai:
            return [
                "CONSENT_DISCLOSE_AI=false: callers are not told they are speaking with an AI. "
                "The EU AI Act (Art. 50(1), in force since August 2026) requires it for callers "
                "in the EU; make sure CONSENT_GREETING says so if you turn this off."
            ]
        return []

    # -- what the caller hears -----------------------------------------------------------

    @property
    def language(self) -> ConsentLanguage:
        assert self._language is not None
        return self._language

    @property
    def grammar(self) -> Grammar:
        assert self._grammar is not None
        return self._grammar

    def speak_for(self, company: str) -> None:
        """The company named in the wording (`{company}`): PersonaSettings.company_name."""
        self._company = company

    @property
    def company(self) -> str:
        return self._company

    def render(self, text: str) -> str:
        return text.replace("{company}", self._company)

    def line(self, key: WordingKey) -> str:
        """One line the caller hears, verbatim: the override, else the language file's."""
        override = getattr(self, f"consent_{key}")
        return self.render((override or getattr(self.language.wording, key)).strip())

    def question_text(self, *, keypad: bool) -> str:
        keys: list[WordingKey] = ["greeting"]
        if self.consent_disclose_ai:
            keys.append("ai_disclosure")
        keys += ["notice", "question"]
        if keypad:
            keys.append("keypad_hint")
        return " ".join(self.line(k) for k in keys)

    def answers(self) -> dict[str, str]:
        """What the caller hears when they ask about the recording, by topic: the only
        answers there are (the model picks the topic; these words are spoken)."""
        a = self.language.answers
        if_no = a.if_no_hang_up if self.consent_denial_policy == "hang_up" else a.if_no_continue
        return {
            "why_we_record": self.render(self.consent_answer_purpose or a.purpose),
            "who_can_listen": self.render(self.consent_answer_access or a.access),
            "how_long_it_is_kept": self.render(self.consent_answer_retention or a.retention),
            "what_if_i_say_no": self.render(if_no),
            "wants_a_person": self.render(a.a_person),
            "something_else": self.line("cannot_answer"),
        }

    @staticmethod
    def wording_version(text: str) -> str:
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]
