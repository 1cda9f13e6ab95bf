"""A call in the terminal console: the real call, with the parts a console has no room for
played openly.

    console = ConsoleCall(settings())          # in the entrypoint, for `console`
    config = console.settings                   # a stand-in human line if none is set
    controls = console.controls(session)        # recording announced, the stand-in line
    journal = console.journal(store)            # the real store, each consent shown
    console.watch(session, call)                # the call on the screen

The store is the real one (the record can be looked at with `python -m ops`); recording
needs a LiveKit room, so the console says when it would start and stop; a transfer to a
person reaches the stand-in human line (`offline/human_line.py`), never a phone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from livekit.agents import AgentSession, llm
from livekit.agents.voice.events import CloseEvent

from call.call import Call
from call.controls import RecordingStart, TransferAttempt
from call.journal import Journal, RecordStore
from call.livekit_compat import typed_turns_survive_failed_tasks
from config.settings import Settings
from offline.console_screen import log_summary, typed_lines_shown
from offline.console_view import ConsoleView
from offline.human_line import StandInHumanLine, with_stand_in_line
from store.records import ConsentRecord
from store.url import display_url

RECORDING = "Recording"
NO_ROOM = (
    "the console has no LiveKit room to record; on a call, RECORDING_ENABLED=true starts an Egress"
)


class ConsoleControls:
    """What the agents can do to the call, in the console (see `call.controls.CallControls`)."""

    def __init__(
        self,
        session: AgentSession[Any],
        *,
        settings: Settings,
        show: Callable[[str, str], None],
    ) -> None:
        self._session = session
        self._settings = settings
        self._show = show
        self._recording = False
        session.on("close", self._on_close)

    async def start_recording(self) -> RecordingStart:
        self._recording = True
        self._show(RECORDING, f"would start now ({NO_ROOM}).")
        return RecordingStart(egress_id=None)

    async def stop_recording(self) -> None:
        if self._recording:
            self._recording = False
            self._show(RECORDING, "would stop now.")

    def _on_close(self, _: CloseEvent) -> None:
        if self._recording:
            self._recording = False
            self._show(RECORDING, "would stop now: the call ended.")

    async def hang_up(self) -> None:
        self._session.shutdown(drain=True)

    async def cold_transfer(self) -> TransferAttempt:
        return TransferAttempt("unavailable", "the console has no phone line to transfer")

    def warm_transfer_task(self, *, chat_ctx: llm.ChatContext, reason: str) -> StandInHumanLine:
        model = self._session.llm if isinstance(self._session.llm, llm.LLM) else None
        return StandInHumanLine(
            settings=self._settings.telephony,
            chat_ctx=chat_ctx,
            reason=reason,
            show=self._show,
            model=model,
        )


class ShownJournal(Journal):
    """The call's journal, showing each consent row once it is stored."""

    def __init__(self, store: RecordStore, *, show: Callable[[str, str], None], where: str) -> None:
        super().__init__(store)
        self._show = show
        self._where = where

    async def append_consent(self, record: ConsentRecord) -> Any:
        stored = await super().append_consent(record)
        if record.kind == "withdrawal":
            what = f"withdrawn ({record.answer_text!r})"
        elif record.method == "none":
            what = f"no (no answer: {record.ending})"
        else:
            how = f"{record.method}, {record.answer_text!r}"
            why = f", rule {record.matched}" if record.matched else f", {record.ending}"
            what = f"{'yes' if record.decision else 'no'} ({how}{why})"
        self._show("Consent recorded", f"{what}; stored in {self._where}.")
        return stored


class ConsoleCall:
    def __init__(self, settings: Settings) -> None:
        self.settings = replace(settings, telephony=with_stand_in_line(settings.telephony))
        self.view = ConsoleView(log_summary=log_summary, typed_lines_shown=typed_lines_shown)

    def controls(self, session: AgentSession[Any]) -> ConsoleControls:
        return ConsoleControls(session, settings=self.settings, show=self.view.note)

    def journal(self, store: RecordStore) -> ShownJournal:
        where = display_url(self.settings.store.database_url)
        return ShownJournal(store, show=self.view.note, where=where)

    def watch(self, session: AgentSession[Call], call: Call | None) -> None:
        typed_turns_survive_failed_tasks(session)
        self.view.watch(session, call)
