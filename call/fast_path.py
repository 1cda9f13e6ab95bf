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

_SENIOR = r"(manager|supervisor|superior|boss|someone senior|somebody senior)"
# A request: a verb of asking, then (within a few words) "a/the/your manager".
_REQUEST = re.compile(
    r"\b(speak|talk|get|put|transfer|connect|escalate|see|have|want|need|like)\b"
    rf"[^.?!]{{0,25}}?\b(a|an|the|your|to|with)\s+{_SENIOR}\b"
    rf"|^\W*(a\s+|the\s+|your\s+)?{_SENIOR}\W*(please)?\W*$",
    re.I,
)
_NEGATED = re.compile(rf"\b(no|not|don'?t|do not|never)\b[^.?!]{{0,20}}\b{_SENIOR}", re.I)


def asks_for_manager(text: str) -> bool:
    """The words ask for a manager ("can I speak to your manager", "manager, please"),
    not merely mention one ("my manager told me to call", "I'm the account manager")."""
    return _REQUEST.search(text) is not None and _NEGATED.search(text) is None


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
