"""The console's screen is for the call: logs go to a file, the call is printed as it happens.

LiveKit's `console` prints every log record (DEBUG by default) on the screen the
conversation uses, and a typed turn's events only once the turn is over. Here, before the
console starts (`prepare_console`):

- log records go to `agent-console.log` (INFO and up), off the screen; `python agent.py
  console --verbose` puts them back on it; the end of the call says how many warnings
  and errors the file holds (`log_summary`);
- the console's own turn printing is off: `offline/console_view.py` prints the call live,
  after the caller's typed line (`typed_lines_shown`);
- two of the framework's notices are dropped: "console mode is deprecated" (the
  rehearsal runs on it; it still works in 1.8.9), and "LIVEKIT_INFERENCE_URL is set but
  LIVEKIT_API_KEY ... missing" (every AgentSession builds a default turn detector even
  when it is given another, and without credentials that one falls back to a local model;
  the user set nothing, and text turns need no detector).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from call.livekit_compat import (
    count_typed_lines,
    hide_console_notice,
    keep_console_logs_off_screen,
    print_turns_yourself,
)

LOG_FILE = Path("agent-console.log")
VERBOSE = "--verbose"


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.warnings = 0
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors += 1
        else:
            self.warnings += 1


_counter = _Counter()
_typed_lines: list[Callable[[], int]] = []


def _not_misleading(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("LIVEKIT_INFERENCE_URL is set but")


def prepare_console(argv: list[str]) -> list[str]:
    """Set the console up for the call; returns the arguments for LiveKit's CLI."""
    hide_console_notice("Deprecated")
    logging.getLogger("livekit.agents").addFilter(_not_misleading)
    print_turns_yourself()
    _typed_lines[:] = [count_typed_lines()]
    if VERBOSE in argv:
        return [a for a in argv if a != VERBOSE]
    handler = logging.FileHandler(LOG_FILE, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.addHandler(_counter)
    keep_console_logs_off_screen()
    chosen = any(a.startswith("--log-level") for a in argv) or os.environ.get("LIVEKIT_LOG_LEVEL")
    return argv if chosen else [*argv, "--log-level", "INFO"]


def typed_lines_shown() -> int:
    """How many of the caller's typed lines the console has printed (0 before it starts)."""
    return _typed_lines[0]() if _typed_lines else 0


def log_summary() -> str:
    """One line for the end of the call: where the logs are, and what they hold."""
    if not any(h is _counter for h in logging.getLogger().handlers):
        return "Logs: on the screen (--verbose)."
    counts = f"{_plural(_counter.warnings, 'warning')}, {_plural(_counter.errors, 'error')}"
    return f"Logs: {LOG_FILE} ({counts}); --verbose shows them here."


def _plural(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"
