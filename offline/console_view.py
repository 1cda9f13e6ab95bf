"""What the terminal console shows of a call, as it happens.

LiveKit's text console prints a typed turn's events once the turn is over, names a
handoff by two class names, and marks a tool's result ✓ unless its text starts with
"error". This view prints the call instead (the console's own turn printing is switched
off: `call/livekit_compat.py`), live and in order: each agent line, each tool call with ✓
or ✗ (a refusal is ✗), who takes over ("→ manager"), consent as recorded, recording (in
the console: that it would start or stop), the stand-in human line, and the end of the
call with where its record went. What the caller types is printed by the console itself.

The caller's goodbye ("bye", see `hang_up` in `offline/rehearsal.yaml`) is the caller
hanging up once the agent has answered, as on a phone line.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from livekit.agents import AgentSession, AgentTask
from livekit.agents.voice.events import (
    CloseEvent,
    ConversationItemAddedEvent,
    FunctionToolsExecutedEvent,
    ToolCallStarted,
    ToolExecutionUpdatedEvent,
)

from call.call import Call
from call.livekit_compat import (
    console_screen,
    end_of_run,
    hang_up_as_caller,
    inside_run,
    is_closing,
    print_on_console,
)
from call.record import save_call_record
from offline.rehearsal_table import load_table
from store.url import display_url

# Who takes over, by agent id (LiveKit's snake_case of the class name). Tasks that are
# not listed (a form's fields, LiveKit's collectors) are steps of their agent, not handoffs.
AGENT_LABELS = {
    "collect_consent": "consent question",
    "customer_service_agent": "front desk",
    "billing_agent": "billing",
    "support_agent": "support",
    "sales_agent": "sales",
    "manager_agent": "manager",
    "form_agent": "form",
    "stand_in_human_line": "on hold for a person",
    "human_transfer_task": "on hold for a person",
}
KEYS = re.compile(r"\W*[0-9*#]\W*")
KEYPAD_NOTE = (
    "Keys are heard on a phone line only (there, 1 agrees and 2 declines). In the console, "
    "a typed digit is words, not a key: answer yes or no."
)
CLOSE_REASONS = {
    "participant_disconnected": "the caller hung up",
    "user_initiated": "the agent ended the call",
    "task_completed": "the agent ended the call",
    "job_shutdown": "the worker stopped",
    "error": "an error ended the call",
}


class Screen(Protocol):
    def __call__(self, kind: str, label: str, text: str = "") -> None:
        """kind: agent, note, handoff, tool, ok or refused."""
        ...


class RichScreen:
    """The console's own terminal, in the console's style."""

    _MARKS: ClassVar[dict[str, tuple[str, str]]] = {
        "agent": ("  \u25cf ", "#6BCB77"),
        "note": ("  \u25cf ", "#FFD93D"),
        "handoff": ("  \u2192 ", "#FFD93D"),
        "tool": ("  \u279c ", "#1FD5F9"),
        "ok": ("    \u2713 ", "#6BCB77"),
        "refused": ("    \u2717 ", "#EF4444"),
    }

    def __init__(self) -> None:
        self._console = console_screen()

    def __call__(self, kind: str, label: str, text: str = "") -> None:
        from rich.padding import Padding
        from rich.text import Text

        mark, color = self._MARKS[kind]
        lines: list[object] = [Text()] if kind in ("agent", "note", "handoff") else []
        if kind in ("ok", "refused"):
            style = "dim" if kind == "ok" else color
            lines.append(Text.assemble((mark, color), (label, style)))
        else:
            extra = f"  {text}" if kind == "tool" else ""
            lines.append(Text.assemble((mark, color), (label, f"bold {color}"), extra))
        if kind not in ("tool", "ok", "refused"):
            # wrapped lines stay indented
            lines += [Padding(Text(line), (0, 0, 0, 4)) for line in text.split("\n") if text]
        print_on_console(self._console, *lines)


class ConsoleView:
    """Prints in the order things happen, each after the caller's typed line that led to it
    (`typed_lines_shown`: how many the console has printed)."""

    def __init__(
        self,
        screen: Screen | None = None,
        *,
        log_summary: Callable[[], str] | None = None,
        typed_lines_shown: Callable[[], int] | None = None,
    ) -> None:
        self.screen = screen or RichScreen()
        self._log_summary = log_summary
        self._typed_lines_shown = typed_lines_shown
        self._typed_lines = 0
        self._hang_up = load_table().hang_up
        self._last_label: str | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._queue: asyncio.Queue[tuple[str, str, str]] | None = None

    def note(self, label: str, text: str) -> None:
        """A labeled block (consent recorded, recording, the stand-in human line)."""
        self._print("note", label, text)

    def _print(self, kind: str, label: str, text: str = "") -> None:
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._spawn(self._print_in_order(self._queue))
        self._queue.put_nowait((kind, label, text))

    async def _print_in_order(self, queue: asyncio.Queue[tuple[str, str, str]]) -> None:
        while True:
            kind, label, text = await queue.get()
            shown = self._typed_lines_shown
            for _ in range(200):  # the console prints the typed line at once: 2 s at most
                if shown is None or shown() >= self._typed_lines:
                    break
                await asyncio.sleep(0.01)
            self.screen(kind, label, text)

    def watch(self, session: AgentSession[Call], state: Call | None) -> None:
        """Print the call as it happens, and its end with where the record went (`state`
        None: a call that was answered out of service, with nothing to store)."""

        def on_item(event: ConversationItemAddedEvent) -> None:
            item = event.item
            if item.type == "message" and item.role == "assistant" and item.text_content:
                self._print("agent", "Agent", item.text_content)
            elif item.type == "message" and item.role == "user":
                if inside_run(session):
                    self._typed_lines += 1  # the console prints it from its own thread
                words = item.text_content or ""
                if self._hang_up.search(words):
                    self._spawn(self._caller_hangs_up(session, state))
                elif KEYS.fullmatch(words) and state is not None and state.outcome.consent is None:
                    self.note("Keypad", KEYPAD_NOTE)
            elif item.type == "agent_handoff":
                self._handoff(session.current_agent)

        def on_tool_started(event: ToolExecutionUpdatedEvent) -> None:
            if isinstance(event.update, ToolCallStarted):
                made = event.update.function_call
                self._print("tool", made.name, _arguments(made.arguments))

        def on_tools(event: FunctionToolsExecutedEvent) -> None:
            for made, output in zip(
                event.function_calls, event.function_call_outputs, strict=False
            ):
                if output is None:
                    continue
                result = " ".join((output.output or "").split()) or "done"
                self._print(
                    "refused" if output.is_error else "ok", _short(f"{made.name}: {result}")
                )

        def on_close(event: CloseEvent) -> None:
            self._spawn(self._ended(state, event.reason.value))

        session.on("conversation_item_added", on_item)
        session.on("tool_execution_updated", on_tool_started)
        session.on("function_tools_executed", on_tools)
        session.on("close", on_close)

    # -- pieces --------------------------------------------------------------------------

    def _spawn(self, work: Any) -> None:
        self._tasks.append(asyncio.create_task(work, name="console-view"))

    def _handoff(self, agent: Any) -> None:
        label = AGENT_LABELS.get(agent.id)
        if label is None and isinstance(agent, AgentTask):
            return  # a step of the agent (a form field, a collector): not a handoff
        label = label or agent.id.replace("_", " ")
        if self._last_label is None and label == "front desk":
            self._last_label = label  # where every call starts: not a handoff
            return
        form = getattr(agent, "form", None)
        if form is not None:
            label = f"form: {form.name}"
        if label != self._last_label:
            self._last_label = label
            self._print("handoff", label)

    async def _caller_hangs_up(self, session: AgentSession[Call], state: Call | None) -> None:
        await end_of_run(session)  # the agent answers the goodbye first
        if not is_closing(session):
            if state is not None:
                state.outcome.left()
            hang_up_as_caller(session)

    async def _ended(self, state: Call | None, reason: str) -> None:
        if state is None:
            why = CLOSE_REASONS.get(reason, reason)
            self.note("Call ended", f"{why[0].upper()}{why[1:]}; nothing was stored (see the log).")
            return
        await state.journal.flush(within=5)  # the record is stored as the session closes
        record_id = state.record_id or await save_call_record(state)
        record = state.to_record()
        consent = state.outcome.consent
        decided = "no answer" if consent is None else ("yes" if consent.decision else "no")
        where = display_url(state.settings.store.database_url)
        delivery = state.settings.delivery
        transferred = any(
            e.get("type") == "transfer" and e.get("outcome") == "connected"
            for e in state.outcome.events
        )
        why = "the caller is with a colleague; the AI left" if transferred else None
        why = why or CLOSE_REASONS.get(reason, reason)
        lines = [f"{why[0].upper()}{why[1:]} (status: {record.status}; consent: {decided})."]
        if record_id:
            lines.append(
                f"The call's record {record_id} is stored in {where}: see it with "
                f"`python -m ops outbox show {record_id}`."
            )
            lines.append(
                f"It is delivered to {display_url(delivery.webhook_url)}, signed."
                if delivery.webhook_url
                else "WEBHOOK_URL is not set: the record waits in the outbox, undelivered."
            )
        else:
            lines.append(f"The call's record could not be stored in {where}: see the log.")
        if state.outcome.summary:
            lines.append(f"Summary: {state.outcome.summary}")
        if state.outcome.results:
            lines.append(f"Results: {json.dumps(state.outcome.results, ensure_ascii=False)}")
        if self._log_summary is not None:
            lines.append(self._log_summary())
        lines.append("Press Ctrl+C to leave the console.")
        self.note("Call ended", "\n".join(lines))


def _arguments(raw: str | None) -> str:
    try:
        arguments = json.loads(raw or "{}")
    except ValueError:
        return _short(raw or "")
    if not isinstance(arguments, dict):
        return _short(str(arguments))
    return _short(", ".join(f"{k}={v}" for k, v in arguments.items()))


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
