"""What the record reads from the session: its history, its usage, and who was speaking.

The session's history (`session.history`) is the transcript's source: messages, tool calls
and their outputs, handoffs, each with LiveKit's own timing metrics. It doesn't say which
form field a task was collecting, so this listens to `conversation_item_added` and notes,
per message and handoff, the active agent's label and field. (A tool call belongs to the
agent of its segment of the history: by the time LiveKit reports it executed, a task it
completed has already handed back.) Usage is LiveKit's own (`session.usage`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from livekit.agents import AgentSession, llm
from livekit.agents.metrics import AgentSessionUsage
from livekit.agents.voice.events import ConversationItemAddedEvent


@dataclass(frozen=True)
class ActiveAgent:
    """Who was active: the agent's label, and the form field its task collects (if any)."""

    agent: str | None
    field: str | None = None


def field_of(agent: Any) -> str | None:
    """The form field an agent (a form's task) collects, or None."""
    name = getattr(agent, "field_name", None)
    return name if isinstance(name, str) else None


def speaker_of(session: AgentSession) -> ActiveAgent:
    try:
        agent = session.current_agent
    except RuntimeError:  # no agent running (closing)
        return ActiveAgent(None)
    return ActiveAgent(agent.label, field_of(agent))


@dataclass
class SessionCapture:
    session: AgentSession[Any]
    speakers: dict[str, ActiveAgent] = field(default_factory=dict)  # item id -> who
    # Lines from elsewhere (a colleague on a transfer's side line), merged in by time.
    extra_items: list[tuple[ActiveAgent, llm.ChatItem]] = field(default_factory=list)

    def listen(self) -> SessionCapture:
        self.session.on("conversation_item_added", self._on_item)
        return self

    def _on_item(self, event: ConversationItemAddedEvent) -> None:
        self.speakers[event.item.id] = speaker_of(self.session)

    def items(self) -> list[llm.ChatItem]:
        return list(self.session.history.items)

    def usage(self) -> AgentSessionUsage:
        return self.session.usage

    def add_side_line(self, speaker: ActiveAgent, items: list[llm.ChatItem]) -> None:
        """Keep another session's spoken lines (a transfer's briefing with a colleague: its
        user is the colleague, its assistant the agent briefing them)."""
        self.extra_items.extend(
            (speaker, item)
            for item in items
            if isinstance(item, llm.ChatMessage) and item.role in ("user", "assistant")
        )
