"""Durations and latency, from LiveKit's own per-message metrics (`ChatMessage.metrics`).

- the call: started_at (the caller joined) to ended_at (the session closed);
- the consent question: when its first audio started (from started_at), how long it played;
- per turn, for every agent answer LiveKit measured: the caller's end of speech to the
  agent's first audio (`e2e_latency`), and its parts: end-of-turn delay and transcription
  delay (on the caller's message), LLM time to first token and TTS time to first byte (on
  the agent's). p50 / p95 / max over the call.

A text-only session (the console, tests without audio) has no audio: its turns carry the
LLM time to first token only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from livekit.agents import llm

from call.capture import ActiveAgent, SessionCapture
from store.record_measures import Latency, Stats, Timings, TurnLatency
from store.timestamps import to_utc

# (TurnLatency field, where LiveKit puts it: on the agent's message or the caller's)
_PARTS = (
    ("e2e_latency", "e2e_latency", "agent"),
    ("llm_ttft", "llm_node_ttft", "agent"),
    ("tts_ttfb", "tts_node_ttfb", "agent"),
    ("end_of_turn_delay", "end_of_turn_delay", "caller"),
    ("transcription_delay", "transcription_delay", "caller"),
)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation: a figure that was actually measured)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def stats(values: Sequence[float]) -> Stats | None:
    if not values:
        return None
    return Stats(
        count=len(values),
        p50=round(percentile(values, 50), 4),
        p95=round(percentile(values, 95), 4),
        max=round(max(values), 4),
    )


def _metric(item: llm.ChatMessage | None, key: str) -> float | None:
    if item is None:
        return None
    value: Any = (item.metrics or {}).get(key)
    return round(float(value), 4) if isinstance(value, int | float) else None


def latency(capture: SessionCapture) -> Latency:
    turns: list[TurnLatency] = []
    last_caller: llm.ChatMessage | None = None
    current = ActiveAgent(None)
    for item in capture.items():
        if isinstance(item, llm.AgentHandoff):
            current = capture.speakers.get(item.id) or ActiveAgent(item.new_agent_id)
            continue
        if not isinstance(item, llm.ChatMessage):
            continue
        if item.role == "user":
            last_caller = item
            continue
        if item.role != "assistant":
            continue
        values = {
            name: _metric(item if on == "agent" else last_caller, key) for name, key, on in _PARTS
        }
        last_caller = None  # the caller's delays belong to the first answer only
        if values["e2e_latency"] is None and values["llm_ttft"] is None:
            continue  # fixed words (no model, nothing to wait for): not a measured turn
        who = capture.speakers.get(item.id) or current
        started = (item.metrics or {}).get("started_speaking_at") or item.created_at
        turns.append(TurnLatency(at=to_utc(started), agent=who.agent, **values))
    return Latency(
        turns=turns,
        **{
            name: stats([v for t in turns if (v := getattr(t, name)) is not None])
            for name, _, _ in _PARTS
        },
    )


def _consent_question(capture: SessionCapture, wording: str | None) -> llm.ChatMessage | None:
    """The agent's message that played the consent question (its words are the wording)."""
    if not wording:
        return None
    plain = " ".join(wording.split())
    for item in capture.items():
        if isinstance(item, llm.ChatMessage) and item.role == "assistant":
            text = " ".join((item.text_content or "").split())
            if text and (text in plain or plain in text):
                return item
    return None


def timings(
    capture: SessionCapture, *, started_at: datetime, ended_at: datetime, wording: str | None
) -> Timings:
    question = _consent_question(capture, wording)
    to_question = played = None
    if question is not None:
        metrics = question.metrics or {}
        start = metrics.get("started_speaking_at") or question.created_at
        to_question = round(max(start - started_at.timestamp(), 0.0), 4)
        stop = metrics.get("stopped_speaking_at")
        played = round(stop - start, 4) if stop is not None else None
    return Timings(
        call_seconds=round((ended_at - started_at).total_seconds(), 3),
        to_consent_question_seconds=to_question,
        consent_question_seconds=played,
        latency=latency(capture),
    )
