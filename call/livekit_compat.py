"""LiveKit internals this app relies on where 1.8.9 has no public API. One place, each use
saying which public API is missing, so an upgrade knows what to check."""

from __future__ import annotations

import asyncio
import contextlib

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


def set_user_away_timeout(session: AgentSession, seconds: float | None) -> None:
    """Change how long both sides must be silent before the session marks the caller "away"
    (the next countdown uses it).

    Missing public API: `user_away_timeout` is only an `AgentSession(...)` argument;
    `update_options()` doesn't take it, and the silence watch needs a second, different
    wait after its prompt (call/silence.py).
    """
    session._opts.user_away_timeout = seconds
