"""`.env.local`: where a deployment keeps its settings, read by every entry point.

The worker, `python -m ops`, `python -m delivery` and `python -m forms` all read the
same file, so an operator command acts on the same store and endpoint as the worker.
Variables already set in the environment win.
"""

from __future__ import annotations

from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def load_env_file() -> Path | None:
    """Load `.env.local` from the working directory, else from the project root."""
    for candidate in (Path.cwd() / ".env.local", PROJECT_ROOT / ".env.local"):
        if candidate.is_file():
            load_dotenv(candidate, override=False)
            return candidate
    return None
