"""The call's transcript, from the session's own history: every line, in order.

Speech (caller, agent, or a human colleague), tool calls with their outcome, handoffs;
each with the agent active at the time and, during a form, the field being collected.

What it carries is decided here, in code:

- Words are kept only with the caller's consent to recording. A call without a yes has
  no transcript (`withheld_reason: no_consent`): a transcript is a recording in words.
- The caller's answers to the consent question are not repeated (`withheld:
  before_consent`): the consent block says what was decided, how and by which rule, and
  the consent chain keeps the answers as evidence. The agent's words (the question,
  verbatim) are kept.
- After the caller withdraws consent, no words are kept (`withheld: after_withdrawal`);
  tool calls keep their name and outcome, not their arguments.
- Sensitive form answers are masked (`call/redaction.py`).
- CALL_RECORD_TRANSCRIPT=false leaves the transcript out of the record altogether.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from livekit.agents import llm

from call.capture import ActiveAgent, SessionCapture
from call.redaction import Redactor
from store.record_transcript import (
    HandoffLine,
    SpeechLine,
    ToolLine,
    TranscriptBlock,
    TranscriptLine,
    Withheld,
)
from store.records import ConsentRecord
from store.timestamps import to_utc


def _started(item: llm.ChatItem) -> datetime:
    metrics = getattr(item, "metrics", None) or {}
    return to_utc(metrics.get("started_speaking_at") or item.created_at)


def _ordered(capture: SessionCapture) -> list[tuple[ActiveAgent | None, llm.ChatItem]]:
    """The session's items in order, with a colleague's side lines merged in by time."""
    own: list[tuple[ActiveAgent | None, llm.ChatItem]] = [(None, i) for i in capture.items()]
    if not capture.extra_items:
        return own
    merged = own + [(s, i) for s, i in capture.extra_items]
    return sorted(merged, key=lambda pair: pair[1].created_at)  # stable: ties keep order


def transcript_lines(
    capture: SessionCapture,
    *,
    consent: ConsentRecord | None,
    withdrawn_at: datetime | None,
    redactor: Redactor,
) -> list[TranscriptLine]:
    """Every line the transcript may carry (a call with a yes), rules above applied."""
    answered = to_utc(consent.answered_at) if consent and consent.answered_at else None
    withdrawn_at = to_utc(withdrawn_at) if withdrawn_at is not None else None
    outputs = {i.call_id: i for i in capture.items() if isinstance(i, llm.FunctionCallOutput)}
    lines: list[TranscriptLine] = []
    current = ActiveAgent(None)
    for side, item in _ordered(capture):
        if isinstance(item, llm.AgentHandoff):
            lines.append(
                HandoffLine(
                    at=to_utc(item.created_at),
                    from_agent=item.old_agent_id,
                    to_agent=item.new_agent_id,
                )
            )
            current = capture.speakers.get(item.id) or ActiveAgent(item.new_agent_id)
            continue
        who = side or capture.speakers.get(item.id) or current
        if isinstance(item, llm.ChatMessage) and item.role in ("user", "assistant"):
            line = _speech(item, who, side is not None, answered, withdrawn_at, redactor)
            if line is not None:
                lines.append(line)
        elif isinstance(item, llm.FunctionCall):
            lines.append(_tool(item, outputs.get(item.call_id), who, withdrawn_at, redactor))
    return lines


def _speech(
    item: llm.ChatMessage,
    who: ActiveAgent,
    colleague_side: bool,
    answered: datetime | None,
    withdrawn_at: datetime | None,
    redactor: Redactor,
) -> SpeechLine | None:
    text = (item.text_content or "").strip()
    if not text:
        return None
    at = _started(item)
    caller = item.role == "user" and not colleague_side
    role = "caller" if caller else ("human" if item.role == "user" else "agent")
    withheld: Withheld | None = None
    if withdrawn_at is not None and at >= withdrawn_at:
        withheld = "after_withdrawal"
    elif caller and answered is not None and at <= answered:
        withheld = "before_consent"
    elif caller and redactor.is_sensitive(who.field):
        withheld = "sensitive"
    masked = False
    if withheld is None:
        text, masked = redactor.text(text)
    return SpeechLine(
        at=at,
        agent=who.agent,
        field=who.field,
        role=role,
        text=None if withheld else text,
        interrupted=item.interrupted,
        withheld=withheld,
        masked=masked,
    )


def _tool(
    call: llm.FunctionCall,
    output: llm.FunctionCallOutput | None,
    who: ActiveAgent,
    withdrawn_at: datetime | None,
    redactor: Redactor,
) -> ToolLine:
    at = to_utc(call.created_at)
    outcome = "no_result" if output is None else ("error" if output.is_error else "ok")
    if withdrawn_at is not None and at >= withdrawn_at:
        return ToolLine(
            at=at,
            agent=who.agent,
            field=who.field,
            name=call.name,
            arguments=None,
            outcome=outcome,
            output=None,
            withheld="after_withdrawal",
        )
    arguments = _arguments(call.arguments)
    if redactor.is_sensitive(who.field) and who.field is not None:
        arguments = redactor.arguments(arguments, who.field)
    else:
        arguments = redactor.value(arguments)
    text = redactor.text(output.output)[0] if output is not None and output.output else None
    return ToolLine(
        at=at,
        agent=who.agent,
        field=who.field,
        name=call.name,
        arguments=arguments,
        outcome=outcome,
        output=text,
    )


def _arguments(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {"_raw": raw}
    return value if isinstance(value, dict) else {"_value": value}


def transcript_block(
    lines: Iterable[TranscriptLine],
    *,
    enabled: bool,
    consented: bool,
    withdrawn_at: datetime | None,
    redactor: Redactor,
) -> TranscriptBlock:
    if not enabled:
        return TranscriptBlock.withheld("disabled")
    if not consented:
        return TranscriptBlock.withheld("no_consent")
    return TranscriptBlock(
        included=True,
        lines=list(lines),
        masked_fields=sorted(redactor.fields),
        withheld_after=withdrawn_at,
    )


def as_text(lines: Iterable[TranscriptLine]) -> str:
    """The lines as plain dialogue for the analysis model (withheld words stay out)."""
    out = []
    for line in lines:
        if isinstance(line, SpeechLine) and line.text:
            who = {"caller": "Caller", "human": "Colleague"}.get(line.role, "Agent")
            if line.role == "agent" and line.agent:
                who = f"Agent ({line.agent})"
            out.append(f"{who}: {line.text}")
        elif isinstance(line, ToolLine) and line.withheld is None:
            result = f" -> {line.outcome}" + (f": {line.output}" if line.output else "")
            out.append(f"[tool {line.name}({json.dumps(line.arguments)}){result}]")
    return "\n".join(out)
