"""LiveKit internals this app relies on where 1.8.9 has no public API. One place, each use
saying which public API is missing, so an upgrade knows what to check."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from livekit.agents import AgentSession, RunContext
from livekit.agents.beta.workflows import GetPhoneNumberTask


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


def is_closing(session: AgentSession) -> bool:
    """The session is closing (a hang-up, a goodbye, a transfer): nobody is left to tell.

    Missing public API: AgentSession has no public "closing" state before its `close`
    event, which comes only after the agents are torn down."""
    return bool(getattr(session, "_closing", False))


# -- GetDtmfTask (beta/workflows/dtmf_inputs.py) --------------------------------------------

# Missing public API: GetDtmfTask fails a short entry with a ToolError whose only mark is
# its message; there is no error type or code to test for.
DTMF_TOO_FEW_DIGITS = "Digits input not fully received"


def dtmf_too_few_digits(result: object) -> bool:
    message = getattr(result, "message", None)
    return isinstance(message, str) and message.startswith(DTMF_TOO_FEW_DIGITS)


def listen_like_get_dtmf_task(task: Any, room: Any) -> None:
    """What GetDtmfTask.on_enter does, without its model turn: its three listeners (its own
    on_exit removes them).

    Missing public API: GetDtmfTask can't be told to play a fixed question instead of
    generating one, and its listeners are private attributes set in its __init__."""
    room.on("sip_dtmf_received", task._on_sip_dtmf_received)
    task.session.on("user_state_changed", task._on_user_state_changed)
    task.session.on("agent_state_changed", task._on_agent_state_changed)


# -- GetPhoneNumberTask (beta/workflows/phone_number.py) ------------------------------------


class CheckedPhoneNumberTask(GetPhoneNumberTask):
    """GetPhoneNumberTask with a check on the number before it is kept: `check_number`
    returns the number to keep (e.g. in E.164) or raises ToolError, which the model hears.

    Missing public API: GetPhoneNumberTask has no hook to validate or normalise the number;
    its `update_phone_number` tool calls the private `_update_phone_number_impl`."""

    def check_number(self, number: str) -> str:
        return number

    async def _update_phone_number_impl(self, phone_number: str, ctx: RunContext) -> str | None:
        return await super()._update_phone_number_impl(self.check_number(phone_number), ctx)


def set_user_away_timeout(session: AgentSession, seconds: float | None) -> None:
    """Change how long both sides must be silent before the session marks the caller "away"
    (the next countdown uses it).

    Missing public API: `user_away_timeout` is only an `AgentSession(...)` argument;
    `update_options()` doesn't take it, and the silence watch needs a second, different
    wait after its prompt (call/silence.py).
    """
    session._opts.user_away_timeout = seconds


# -- the terminal console (`python agent.py console`) -------------------------------------


def console_screen() -> Any:
    """The console's rich `Console`, to print the call in the console's own terminal.

    Missing public API: the console's printer is not exposed."""
    from livekit.agents.cli._legacy import AgentsConsole

    return AgentsConsole.get_instance().console


def print_on_console(console: Any, *renderables: Any) -> None:
    """Print from the call's thread while the console's own thread may be starting its
    prompt or spinner (a rich `Live`): wait until that display is set up, or the lines
    printed meanwhile are drawn over.

    Missing public API: the console draws its prompt and spinner from its own thread and
    offers no way to print beside them; rich's `Live` takes its lock while it starts."""
    stack = getattr(console, "_live_stack", None) or []
    lock = getattr(stack[-1], "_lock", None) if stack else None
    if lock is None:
        console.print(*renderables)
        return
    with lock:
        console.print(*renderables)


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
