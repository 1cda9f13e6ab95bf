"""Withdrawal of consent mid-call (GDPR Art. 7(3)): "stop recording", "I withdraw my consent".

After a yes, every caller turn is checked in code against the language's withdrawal
phrases, wherever they occur in the turn. On a match the recording's Egress is stopped
and a withdrawal row is appended to the consent chain (time, words, egress id), both in
the background; the caller hears a short confirmation and the call goes on unrecorded.

The caller's first turn after their yes also withdraws it when it takes the yes back
("wait, no", "actually I don't agree", a "not" cut off from "absolutely"): a refusal, or a
negation among its first words.

A turn that is nothing but the withdrawal is answered with the confirmation by the agent
itself, with no model round trip (`withdrawal_reply`); a turn that says more gets the
confirmation after the agent's answer to the rest.
"""

from __future__ import annotations

import logging

from livekit.agents import AgentSession
from livekit.agents.voice.events import ConversationItemAddedEvent

from call.call import Call
from store.records import ConsentRecord, utcnow

logger = logging.getLogger("consent-agent.consent")

# An agent with this attribute set answers a withdrawal-only turn itself (withdrawal_reply).
ANSWERS_WITHDRAWAL = "answers_consent_withdrawal"


def _consented(state: Call) -> bool:
    return state.outcome.consent is not None and state.outcome.consent.decision


def withdrawal_reply(state: Call, words: str) -> str | None:
    """The confirmation to say instead of a model reply, when the caller's whole turn is a
    withdrawal of their yes (said again after a withdrawal, it is confirmed again)."""
    consent = state.settings.consent
    if _consented(state) and consent.grammar.only_withdraws(words):
        return consent.line("withdrawn")
    return None


def watch_for_withdrawal(session: AgentSession[Call], state: Call) -> None:
    turns_after_yes = 0

    def on_item(event: ConversationItemAddedEvent) -> None:
        nonlocal turns_after_yes
        item = event.item
        if item.type != "message" or item.role != "user":
            return
        words = item.text_content or ""
        grammar = state.settings.consent.grammar
        if not _consented(state) or state.outcome.consent_withdrawn_at is not None:
            return
        turns_after_yes += 1
        matched = grammar.withdrawal_in(words)
        if matched is None and turns_after_yes == 1 and grammar.takes_back(words):
            matched = "withdrawal:taken_back"  # "wait, no", "actually I don't agree"
        if matched is None:
            return
        withdraw(state, words, matched)
        answered_by_agent = getattr(session.current_agent, ANSWERS_WITHDRAWAL, False)
        if not (answered_by_agent and grammar.only_withdraws(words)):
            session.say(state.settings.consent.line("withdrawn"))

    session.on("conversation_item_added", on_item)


def withdraw(state: Call, words: str, matched: str) -> None:
    """Stop the recording and chain the withdrawal, off the caller's path."""
    assert state.outcome.consent is not None
    state.outcome.consent_withdrawn_at = utcnow()
    state.outcome.note("consent_withdrawn", egress_id=state.outcome.egress_id)
    logger.info("consent withdrawn mid-call; stopping the recording")
    state.journal.spawn(_stop_and_record(state, words, matched), what="consent withdrawal")


async def _stop_and_record(state: Call, words: str, matched: str) -> None:
    consent = state.outcome.consent
    assert consent is not None and state.outcome.consent_withdrawn_at is not None
    error: str | None = None
    try:
        await state.controls.stop_recording()
    except Exception as exc:  # the chain row says so; the caller already heard the confirmation
        error = f"recording not stopped: {type(exc).__name__}: {exc}"
        logger.warning("could not stop the recording after a withdrawal: %s", exc)
    if error is not None:
        state.outcome.note("recording_stop_failed", egress_id=state.outcome.egress_id, error=error)
    elif state.outcome.egress_id:
        state.outcome.note(
            "recording_stopped", egress_id=state.outcome.egress_id, reason="consent withdrawn"
        )
    await state.journal.append_consent(
        ConsentRecord(
            kind="withdrawal",
            job_id=state.job_id,
            room=state.room,
            caller=state.caller,
            asked_at=consent.asked_at,
            answered_at=state.outcome.consent_withdrawn_at,
            wording=consent.wording,
            wording_version=consent.wording_version,
            method="voice",
            answer_text=words,
            decision=False,
            ending="withdrawn",
            matched=matched,
            language=state.settings.consent.consent_language,
            egress_id=state.outcome.egress_id,
            recording_error=error,
        )
    )
