"""Decisions taken in code on the caller's words, without a model round trip.

Every LLM round trip is about half a second of silence on a phone line. When the
caller's newest words settle a decision beyond doubt (a plain "yes", "get me a manager"),
the agent's `llm_node` emits the same tool call the model would have made: the tool
runs, the history shows the call, and the model is never asked.
"""

from __future__ import annotations

import json
import re

from livekit.agents import llm
from livekit.agents.utils import shortuuid

_MANAGER = re.compile(
    r"\b(manager|supervisor|someone senior|somebody senior|your boss|escalate)\b", re.I
)
_NEGATED = re.compile(r"\b(no|not|don'?t|do not|never)\b[^.?!]{0,20}\b(manager|supervisor)\b", re.I)


def asks_for_manager(text: str) -> bool:
    """The words ask for a manager ("can I speak to your manager"), not deny one."""
    return _MANAGER.search(text) is not None and _NEGATED.search(text) is None


def newest_caller_words(chat_ctx: llm.ChatContext) -> str | None:
    """The caller's words if they are the newest item (a fresh turn, not a tool result)."""
    for item in reversed(chat_ctx.items):
        if item.type == "message" and item.role in ("system", "developer"):
            continue
        if item.type == "message" and item.role == "user":
            return item.text_content or ""
        return None
    return None


def tool_call_chunk(name: str, /, **arguments: object) -> llm.ChatChunk:
    """A model-shaped chunk that calls tool `name`: the framework runs it as usual."""
    call = llm.FunctionToolCall(
        name=name, arguments=json.dumps(arguments), call_id=shortuuid("code_")
    )
    return llm.ChatChunk(
        id=shortuuid("code_"), delta=llm.ChoiceDelta(role="assistant", tool_calls=[call])
    )
