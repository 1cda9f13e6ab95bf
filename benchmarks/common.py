"""What the benchmarks share: one scripted model for both sides, and a call timeline.

`RuleFollowingModel` is the same "plausible, rule-following model" for our agents and for
the baseline: it answers from what it is offered and asked, never from which side it
serves (the only difference is that it fills `escalate_to_manager`'s `reason` argument
when the tool's schema has one). Every request is counted by `ScriptedLLM.requests`.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import AgentSession

from call.analysis import ANALYSIS_TOOL
from offline.scripted_llm import Reply, Request, ScriptedLLM, call, say

QUESTION = (
    "Hello! Thank you for calling Acme Corp. You're speaking with an AI assistant. "
    "This call will be recorded for quality assurance "
    "and training purposes. Do you consent to this recording?"
)
HOW_CAN_I_HELP = "How can I help you today?"
CLARIFY = "We record calls for quality and training. Is that okay with you, yes or no?"
GOODBYE = "I understand, I can't continue without consent, so I'll end the call. Goodbye."
UNRECORDED = "I understand, we'll continue without recording. How can I help you today?"
MANAGER_HELLO = "Hi, I'm the manager. I hear you'd like someone senior; how can I fix this?"
ANSWER = "Our opening hours are nine to five, Monday to Friday."

_YES = re.compile(r"^\s*(yes|yeah|sure|okay|ok)\b", re.I)
_NO = re.compile(r"^\s*(no|nope)\b", re.I)


def _is_manager(r: Request) -> bool:
    return r.offers("issue_credit") or "customer service manager" in r.instructions


def rule_following_model(r: Request) -> Reply:
    """A model that follows each agent's instructions the way the documents expect."""
    if r.offers("record_consent") or r.offers("consent_given"):
        if r.answering_user:
            two_tools = r.offers("consent_given")  # seed 001's task
            if _YES.search(r.last_user_text):
                return (
                    call("consent_given")
                    if two_tools
                    else call("record_consent", consent_given=True)
                )
            if _NO.search(r.last_user_text):
                return (
                    call("consent_denied")
                    if two_tools
                    else call("record_consent", consent_given=False)
                )
            return say(CLARIFY)
        if "Say goodbye" in r.instructions or "cannot proceed" in r.instructions:
            return say(GOODBYE)
        return say(QUESTION)
    if r.last_tool_output is not None:
        return say(r.last_tool_output.output or "Okay.")
    if _is_manager(r):
        return say(MANAGER_HELLO)
    if r.answering_user and r.user_said(r"\bmanager\b"):
        if r.offers("route_to"):  # our tool asks for a one-line reason
            return call("escalate_to_manager", reason="caller asked for a manager")
        return call("escalate_to_manager")
    if "proceed without recording" in r.instructions:
        return say(UNRECORDED)
    if "offer your assistance" in r.instructions:
        return say(HOW_CAN_I_HELP)
    if r.answering_user:
        return say(ANSWER)
    return say(HOW_CAN_I_HELP)


@dataclass
class Mark:
    """One step of a call. "llm": the model answered a request (`text`: its words, if any).
    "say": fixed words were queued with `session.say` (no model involved)."""

    kind: str
    text: str = ""
    at: float = field(default_factory=time.perf_counter)


class TimelineLLM(ScriptedLLM):
    """A ScriptedLLM that also writes each answer on a shared timeline."""

    def __init__(
        self,
        brain: Callable[[Request], Any],
        timeline: list[Mark],
        *,
        unspoken: Callable[[Request], bool] = lambda r: r.is_summary,
        **kw: Any,
    ) -> None:
        def noted(request: Request) -> Any:
            if request.offers(ANALYSIS_TOOL):
                # The call's analysis runs after the call has ended: no one is on the line,
                # so it is no round trip on any path measured here.
                return say("The call's summary.")
            reply = brain(request)
            text = reply if isinstance(reply, str) else (reply.text if reply else "")
            # A summary's words are written to the record, never spoken.
            timeline.append(Mark("llm", "" if unspoken(request) else text or ""))
            return reply

        super().__init__(noted, **kw)


def watch_speech(session: AgentSession, timeline: list[Mark]) -> None:
    """Mark fixed words (`session.say`) the moment they are queued to be spoken."""

    def on_speech(ev: Any) -> None:
        if ev.source == "say":
            timeline.append(Mark("say"))

    session.on("speech_created", on_speech)


async def settle(timeline: list[Mark], *, quiet: float = 0.15, within: float = 5.0) -> None:
    """Wait until nothing new has happened on the timeline for `quiet` seconds."""
    deadline = time.perf_counter() + within
    seen = -1
    while time.perf_counter() < deadline:
        if len(timeline) == seen:
            return
        seen = len(timeline)
        await asyncio.sleep(quiet)


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]
