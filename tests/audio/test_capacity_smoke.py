"""The audio capacity benchmark runs: one short level, one call, the real Silero VAD and the
built-in turn detector on the shipped speech. No figure is asserted (benchmarks measure)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_one_call_on_the_real_audio_path_runs_and_is_answered() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.audio_capacity", "--level", "1", "--seconds", "14"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    level = json.loads(done.stdout.strip().splitlines()[-1])
    assert level["n"] == 1
    assert level["errors"] == []
    # the consent question played, the caller's real speech was heard and answered
    assert level["turns"] >= 1
    assert level["answered"] == level["turns"]
