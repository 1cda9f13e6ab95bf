"""The README's run command, with no credentials, is a working offline rehearsal.

Driven as a person would: `python agent.py console` in a terminal (tmux), the consent
question appears, a typed "yes" reaches "how can I help", and the consent is on record.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes.util
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from store import open_store
from tests.store.support import (
    TEST_DATABASE_URL,
    drop_pg_schema,
    new_pg_schema,
    postgres_available,
)

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (apt-get install tmux)"),
    pytest.mark.skipif(
        ctypes.util.find_library("portaudio") is None,
        reason="console needs the PortAudio library (apt-get install libportaudio2)",
    ),
]


def _screen(session: str) -> str:
    """The terminal's text, with line wrapping and indentation folded away."""
    raw = subprocess.run(
        ["tmux", "capture-pane", "-p", "-J", "-S", "-400", "-t", session],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(raw.split())


def _wait_for(session: str, text: str, within: float = 60.0) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        screen = _screen(session)
        if text in screen:
            return screen
        time.sleep(0.25)
    raise AssertionError(f"{text!r} never appeared; the screen shows:\n{_screen(session)}")


@contextlib.contextmanager
def _console(tmp_path: Path, database_url: str) -> Iterator[str]:
    """`python agent.py console` in a tmux terminal, without LiveKit credentials."""
    session = f"rehearsal-{uuid.uuid4().hex[:8]}"
    env_file = tmp_path / "env.sh"
    keep = {k: v for k, v in os.environ.items() if not k.startswith("LIVEKIT_")}
    keep["DATABASE_URL"] = database_url
    env_file.write_text("".join(f"export {k}={_quote(v)}\n" for k, v in keep.items()))
    command = (
        f"env -i bash -c 'source {env_file} && cd {tmp_path} && "
        f"{sys.executable} {ROOT / 'agent.py'} console'"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "60", command],
        check=True,
    )
    try:
        yield session
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_console_without_credentials_rehearses_consent_then_help(tmp_path: Path) -> None:
    database = tmp_path / "calls.db"
    with _console(tmp_path, f"sqlite:///{database}") as session:
        _wait_for(session, "OFFLINE REHEARSAL")
        _wait_for(session, "Do you consent to this recording?")

        subprocess.run(["tmux", "send-keys", "-t", session, "yes", "Enter"], check=True)
        screen = _wait_for(session, "(rehearsal) How can I help you today?")
        assert "record_consent" in screen

        subprocess.run(["tmux", "send-keys", "-t", session, "C-c"], check=True)
        consent, calls = _stored(database, within=30)
        assert consent == [(True, "voice", "yes")]
        assert calls == ["pending"]  # the call's record, waiting for a WEBHOOK_URL


def test_the_question_is_the_first_agent_line_and_the_end_of_the_call_is_shown(
    tmp_path: Path,
) -> None:
    database = tmp_path / "calls.db"
    with _console(tmp_path, f"sqlite:///{database}") as session:
        screen = _wait_for(session, "Do you consent to this recording?")
        first_agent_line = screen.split("\u25cf Agent", 1)[1]
        assert first_agent_line.strip().startswith("Hello! Thank you for calling Acme Corp.")

        subprocess.run(["tmux", "send-keys", "-t", session, "no", "Enter"], check=True)
        screen = _wait_for(session, "Call ended")
        goodbye = screen.index("Thank you for calling, goodbye.", screen.index("\u25cf You"))
        assert goodbye < screen.index("Call ended")
        assert "consent: no" in screen


def test_when_the_store_goes_away_the_caller_hears_why_not_silence(tmp_path: Path) -> None:
    # (A store unreachable from the start stops the worker at start: test_worker_preflight.)
    with _store_that_goes_away() as database_url, _console(tmp_path, database_url) as session:
        screen = _wait_for(session, "because of a technical problem")
        # No consent is asked for when it couldn't be recorded.
        assert "Do you consent to this recording?" not in screen


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    for end in (source, sink):
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def _store_that_goes_away() -> Iterator[str]:
    """A PostgreSQL store whose first connection (the worker's check at start) reaches the
    test server, and every later one (the call's) is cut: it went away after the start."""
    ok, reason = postgres_available()
    if not ok:
        pytest.skip(reason)
    server = urlsplit(TEST_DATABASE_URL)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        for n in range(1_000_000):
            try:
                client, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            if n > 0:
                client.close()
                continue
            upstream = socket.create_connection((server.hostname, server.port or 5432))
            for ends in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=ends, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    schema = new_pg_schema()
    credentials = server.netloc.rpartition("@")[0]
    at = f"{credentials}@" if credentials else ""
    query = f"{server.query}&" if server.query else ""
    port = listener.getsockname()[1]
    try:
        yield f"postgresql://{at}127.0.0.1:{port}{server.path}?{query}schema={schema}"
    finally:
        listener.close()
        drop_pg_schema(schema)


def _stored(database: Path, within: float) -> tuple[list[tuple], list[str]]:
    """The consent records and call records (outbox rows) the rehearsal stored, read
    through the store's own API once both are there."""
    deadline = time.monotonic() + within
    found: tuple[list[tuple], list[str]] = ([], [])
    while time.monotonic() < deadline:
        if database.exists():
            found = asyncio.run(_read(database))
            if all(found):
                return found
        time.sleep(0.25)
    return found


async def _read(database: Path) -> tuple[list[tuple], list[str]]:
    store = await open_store(f"sqlite:///{database}")
    try:
        records = [r.record() for r in await store.consent_records()]
        outbox = [row.status for row in await store.outbox_rows()]
    finally:
        await store.close()
    return [(r.decision, r.method, r.answer_text) for r in records], outbox


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"
