"""LiveKit internals this app relies on where 1.8.9 has no public API. One place, each use
saying which public API is missing, so an upgrade knows what to check."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from livekit.agents import AgentSession


async def end_of_run(session: AgentSession) -> None:
    """Wait until the open `session.run()`, if any, has finished (never raises).

    Missing public API: as for `inside_run`."""
    run = getattr(session, "_global_run_state", None)
    if run is not None and not run.done():
        with contextlib.suppress(Exception):
            await asyncio.shield(run._done_fut)


def inside_run(session: AgentSession) -> bool:
    """A `session.run()` (the text console's typed turn, or a test's) is collecting events.

    Missing public API: RunResult is returned by `run()` but the session doesn't say whether
    one is open, which the console view needs to show lines spoken outside a typed turn.
    """
    run = getattr(session, "_global_run_state", None)
    return run is not None and not run.done()


# -- the terminal console (`python agent.py console`) -------------------------------------


def console_screen() -> Any:
    """The console's rich `Console`, to print the call in the console's own terminal.

    Missing public API: the console's printer is not exposed."""
    from livekit.agents.cli._legacy import AgentsConsole

    return AgentsConsole.get_instance().console


def print_turns_yourself() -> None:
    """Stop the text console from printing a typed turn's events once the turn is over
    (the app prints the call as it happens instead).

    Missing public API: the text console's turn printing can't be replaced or extended; it
    marks a refused tool ✓ (it reads the output's text, not `is_error`) and names agents
    by class."""
    from livekit.agents.cli import _legacy

    _legacy._print_run_event = lambda *args, **kwargs: None


def count_typed_lines() -> Callable[[], int]:
    """Count the caller's lines the text console prints ("● You"); returns the count's reader.

    Missing public API: the console prints the caller's typed line from its own thread
    after it has started the turn, so the turn's first events can come first; nothing says
    when that line is on the screen."""
    from livekit.agents.cli._legacy import AgentsConsole

    console = AgentsConsole.get_instance().console
    printer = console.print
    shown = [0]
    header = [False]  # "● You" printed: the typed words are the next print

    def counting(*objects: Any, **options: Any) -> None:
        printer(*objects, **options)
        if header[0]:
            header[0] = False
            shown[0] += 1
        elif objects and getattr(objects[0], "plain", None) == "  \u25cf You":
            header[0] = True

    console.print = counting  # type: ignore[method-assign]
    return lambda: shown[0]


def keep_console_logs_off_screen() -> None:
    """Keep log records off the console's screen (the app writes them to a file).

    Missing public API: `console` always adds its log handler to the root logger, at the
    level of `--log-level` (DEBUG by default), on the screen the conversation uses."""
    from livekit.agents.cli._legacy import AgentsConsole

    AgentsConsole.get_instance()._log_handler.addFilter(lambda record: False)


def hide_console_notice(tag: str) -> None:
    """Drop the console's notices with `tag` ("Deprecated": the framework prefers the
    LiveKit CLI's `lk agent console`; in 1.8.9 `console` still works, and it is how the
    offline rehearsal runs).

    Missing public API: the console's start-up notices can't be turned off."""
    from livekit.agents.cli._legacy import AgentsConsole

    console = AgentsConsole.get_instance()
    printer = console.print

    def without(child: Any, *, tag: str = "", tag_style: Any = None) -> None:
        if tag != hidden:
            printer(child, tag=tag, tag_style=tag_style)

    hidden = tag
    console.print = without  # type: ignore[method-assign]


def hang_up_as_caller(session: AgentSession) -> None:
    """Close the session as a caller hanging up does (reason `participant_disconnected`),
    after the agent's current words.

    Missing public API: `shutdown()` always closes as `user_initiated`."""
    from livekit.agents.voice.events import CloseReason

    session._close_soon(reason=CloseReason.PARTICIPANT_DISCONNECTED, drain=True)


def typed_turns_survive_failed_tasks(session: AgentSession) -> None:
    """A typed turn (`session.run`) ends normally when a task awaited in one of its tools
    failed: the tool caught that and answered the caller (a failed transfer, a declined
    call back); the console's caller sees the answer, not a crash.

    Missing public API: `AgentTask.complete(error)` also makes the error the final output
    of the run whose speech awaited the task, and LiveKit's text console stops on it."""
    run = session.run

    def run_to_the_end(*args: Any, **kwargs: Any) -> Any:
        return _SurvivesFailedTasks(run(*args, **kwargs))

    session.run = run_to_the_end  # type: ignore[method-assign]


class _SurvivesFailedTasks:
    def __init__(self, result: Any) -> None:
        self._result = result

    def __await__(self) -> Any:
        return self._wait().__await__()

    async def _wait(self) -> Any:
        from livekit.agents import ToolError

        with contextlib.suppress(ToolError):
            await self._result
        return self._result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._result, name)
