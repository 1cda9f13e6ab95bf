"""Can the store be used? Checked once when a process starts, and said in one line if not.

    problem = await store_problem(settings.store.database_url)
    if problem:
        sys.exit(f"consent-agent: {problem}")

A worker that started against a store it can't reach would look healthy and turn every
caller away; a typo in DATABASE_URL must stop it at start instead.
"""

from __future__ import annotations

import sqlite3

from store import open_store
from store.url import display_url


async def store_problem(database_url: str) -> str | None:
    """None when the store opens (it is created or migrated if needed), else why not."""
    try:
        store = await open_store(database_url)
    except Exception as exc:
        return describe_open_error(database_url, exc)
    await store.close()
    return None


def describe_open_error(database_url: str, exc: BaseException) -> str:
    """One line: which store, what went wrong, what to check. Never the password."""
    return f"cannot use the store at {display_url(database_url)}: {_reason(exc)}"


def _first_line(text: str) -> str:
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return " ".join(line.split())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename:
        what = (  # mkdir on a path that is a file says "File exists"
            f"{exc.filename} is not a directory"
            if isinstance(exc, FileExistsError)
            else f"{exc.strerror or type(exc).__name__}: {exc.filename}"
        )
        return (
            f"{what} (the SQLite file's directory must exist or be creatable, and be "
            "writable; check DATABASE_URL)"
        )
    if isinstance(exc, sqlite3.Error):
        return (
            f"{_first_line(str(exc))} (check DATABASE_URL: it must name an SQLite file in "
            "a writable directory)"
        )
    if isinstance(exc, ValueError):
        return _first_line(str(exc))
    message = _first_line(str(exc)) or type(exc).__name__
    for prefix in ("connection failed: ", "connection is bad: "):
        message = message.removeprefix(prefix)
    message = message.replace("FATAL: ", "")
    if type(exc).__module__.startswith("psycopg"):
        return f"{message} (check DATABASE_URL, and that the server is running and reachable)"
    return f"{type(exc).__name__}: {message}"
