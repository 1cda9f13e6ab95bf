"""`python agent.py ...` stops at start, in one line, on what would fail every call: a store
it can't use (checked before anything connects to LiveKit), or, for `console`, no PortAudio.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.support import TEST_DATABASE_URL, postgres_available

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def livekit() -> Iterator[socket.socket]:
    """Where LIVEKIT_URL points: a socket that only records whether anyone connected."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server


def connected(server: socket.socket) -> bool:
    return bool(select.select([server], [], [], 0)[0])


def worker(command: str, cwd: Path, livekit: socket.socket | None, **env: str):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LIVEKIT_", "DATABASE_"))}
    if livekit is not None:
        env = {
            "LIVEKIT_URL": f"ws://127.0.0.1:{livekit.getsockname()[1]}",
            "LIVEKIT_API_KEY": "APIkey",
            "LIVEKIT_API_SECRET": "a-secret-that-is-long-enough-for-livekit",
            **env,
        }
    try:  # the timeout guards against a worker that starts anyway; it is not a measurement
        return subprocess.run(
            [sys.executable, str(ROOT / "agent.py"), command],
            env={**clean, **env},
            cwd=cwd,  # no .env.local here
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`python agent.py {command}` started instead of refusing the store")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unusable_stores(tmp_path: Path) -> list[tuple[str, str]]:
    """(DATABASE_URL, what the message must say) for stores that can't be used."""
    (tmp_path / "a-file").write_text("not a directory")
    (tmp_path / "not-a-db.db").write_text("this is not an SQLite database, it is text\n" * 40)
    stores = [
        (f"postgresql://agent:pw@127.0.0.1:{free_port()}/calls", "Connection refused"),
        (f"sqlite:///{tmp_path}/a-file/calls.db", f"{tmp_path}/a-file is not a directory"),
        (f"sqlite:///{tmp_path}/a-file/sub/calls.db", "Not a directory"),
        ("sqlite:////proc/calls.db", "unable to open database file"),
        (f"sqlite:///{tmp_path}/not-a-db.db", "file is not a database"),
    ]
    if postgres_available()[0]:
        base = TEST_DATABASE_URL.rsplit("/", 1)[0]
        stores.append((f"{base}/no_such_database_x9", 'database "no_such_database_x9"'))
    return stores


@pytest.mark.parametrize("command", ["start", "dev"])
def test_a_store_that_cant_be_used_stops_the_worker_before_livekit(
    tmp_path: Path, livekit: socket.socket, command: str
) -> None:
    for url, reason in unusable_stores(tmp_path):
        done = worker(command, tmp_path, livekit, DATABASE_URL=url)

        assert done.returncode == 1, (url, done.stderr[-2000:])
        [line] = done.stderr.splitlines()  # one line, no traceback
        assert line.startswith("consent-agent: cannot use the store at "), line
        assert reason in line and ":pw@" not in line
        assert not connected(livekit), url


def test_the_console_checks_the_store_too(tmp_path: Path) -> None:
    done = worker(
        "console", tmp_path, None, DATABASE_URL=f"postgresql://a@127.0.0.1:{free_port()}/x"
    )
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert "cannot use the store" in line and "Connection refused" in line


def test_a_database_url_with_an_unknown_scheme_is_a_configuration_problem(
    tmp_path: Path, livekit: socket.socket
) -> None:
    done = worker("start", tmp_path, livekit, DATABASE_URL="mysql://agent@db/calls")
    assert done.returncode == 2
    assert "DATABASE_URL='mysql://agent@db/calls'" in done.stderr
    assert "must start with sqlite:/// (a file) or postgresql:// (a server)" in done.stderr
    assert "Traceback" not in done.stderr
    assert not connected(livekit)


def test_without_portaudio_the_console_says_what_to_install(tmp_path: Path) -> None:
    # sounddevice, as it fails on a machine without the PortAudio library
    shim = tmp_path / "no_portaudio"
    shim.mkdir()
    (shim / "sounddevice.py").write_text('raise OSError("PortAudio library not found")\n')

    done = worker("console", tmp_path, None, PYTHONPATH=str(shim))

    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert line.startswith("consent-agent: `console` needs the PortAudio library")
    assert "sudo apt-get install libportaudio2" in line
    assert "Traceback" not in done.stdout + done.stderr
