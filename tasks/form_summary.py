"""The call summary: one tool-less LLM call, written while the caller hears the final words.

It never blocks the caller's next words (the final words are verbatim, not generated) and
never fails the call: on an error or after `within` seconds the summary is None and the
record says why in its events.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from livekit.agents import llm

from forms.model import Form

logger = logging.getLogger("consent-agent.forms")

SUMMARY_MARKER = "Summarize this phone call"
SUMMARY_INSTRUCTIONS = f"""\
{SUMMARY_MARKER} for the team that receives its record. In two to four plain sentences,
say why the caller called, what was collected and anything the team should act on
(refused or missing answers, corrections, concerns the caller raised). Use only what is in
the transcript and the results; don't invent details and don't repeat every field.
"""


def transcript(items: list[llm.ChatItem]) -> str:
    lines = []
    for item in items:
        if item.type == "message" and item.role in ("user", "assistant"):
            text = (item.text_content or "").strip()
            if text:
                lines.append(f"{'Caller' if item.role == 'user' else 'Agent'}: {text}")
    return "\n".join(lines)


async def summarize_call(
    model: llm.LLM,
    *,
    form: Form,
    history: list[llm.ChatItem],
    results: dict[str, Any],
    status: str,
) -> str | None:
    ctx = llm.ChatContext.empty()
    ctx.add_message(role="system", content=SUMMARY_INSTRUCTIONS)
    ctx.add_message(
        role="user",
        content=(
            f"Form: {form.label} (status: {status})\n"
            f"Results: {json.dumps(results, ensure_ascii=False)}\n\n"
            f"Transcript:\n{transcript(history)}"
        ),
    )
    parts: list[str] = []
    async with model.chat(chat_ctx=ctx) as stream:
        async for chunk in stream:
            if chunk.delta is not None and chunk.delta.content:
                parts.append(chunk.delta.content)
    text = "".join(parts).strip()
    return text or None


async def bounded_summary(
    model: llm.LLM | None, *, within: float, **kwargs: Any
) -> tuple[str | None, str | None]:
    """(summary, problem): never raises."""
    if model is None:
        return None, "no LLM to summarize with"
    try:
        return await asyncio.wait_for(summarize_call(model, **kwargs), within), None
    except TimeoutError:
        logger.warning("call summary took longer than %.1fs; stored without it", within)
        return None, f"timed out after {within:g}s"
    except Exception as exc:
        logger.warning("call summary failed: %s", exc)
        return None, f"{type(exc).__name__}: {exc}"
