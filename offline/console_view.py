"""What the text console shows of the call beyond the typed turns.

LiveKit's text console prints the events of each typed turn. Lines the agents speak on
their own (the consent question when the call starts, a withdrawal confirmation, a
goodbye) and the end of the call are not part of a turn: this view prints them, in the
console's own style, so the screen shows the whole call at any log level.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from livekit.agents import AgentSession
from livekit.agents.voice.events import CloseEvent, ConversationItemAddedEvent

from call.call import Call
from call.livekit_compat import end_of_run, inside_run


def _rich_print() -> Callable[[str, str], None]:
    from livekit.agents.cli._legacy import AgentsConsole
    from rich.text import Text

    console = AgentsConsole.get_instance().console

    def show(label: str, text: str) -> None:
        console.print()
        console.print(Text.assemble(("  \u25cf ", "#6BCB77"), (label, "bold #6BCB77")))
        for line in text.split("\n"):
            console.print(Text(f"    {line}"))

    return show


def show_call_in_console(
    session: AgentSession[Call],
    state: Call,
    show: Callable[[str, str], None] | None = None,
) -> None:
    """Print the agents' own lines and the call's end (`show(label, text)`)."""
    printer = show or _rich_print()

    def on_item(event: ConversationItemAddedEvent) -> None:
        item = event.item
        if item.type == "message" and item.role == "assistant" and not inside_run(session):
            printer("Agent", item.text_content or "")

    async def after_the_turn(event: CloseEvent) -> None:
        # The console prints a typed turn's lines once the turn is over: end after them.
        await end_of_run(session)
        await asyncio.sleep(0.3)  # the console polls for the turn's end every 0.1 s
        consent = state.outcome.consent
        decided = "no answer" if consent is None else ("yes" if consent.decision else "no")
        printer(
            "Call ended",
            f"reason: {event.reason.value}; consent: {decided}; the call's record is stored "
            f"in {state.settings.store.database_url} (press Ctrl+C to leave the console)",
        )

    def on_close(event: CloseEvent) -> None:
        ending.append(asyncio.create_task(after_the_turn(event), name="console-call-ended"))

    ending: list[asyncio.Task[None]] = []

    session.on("conversation_item_added", on_item)
    session.on("close", on_close)
