"""Operator commands act on the same store as the worker: they read `.env.local` too."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from store import open_store
from store.records import ConsentRecord, utcnow

ROOT = Path(__file__).resolve().parents[2]


async def _one_consent(url: str) -> None:
    store = await open_store(url)
    now = utcnow()
    await store.append_consent(
        ConsentRecord(
            job_id="AJ_env",
            room="r",
            asked_at=now,
            answered_at=now,
            wording="May we record?",
            wording_version="sha256:x",
            method="voice",
            decision=True,
            ending="answered",
        )
    )
    await store.close()


def test_ops_reads_the_database_url_from_env_local(tmp_path: Path) -> None:
    database = tmp_path / "deployed.db"
    asyncio.run(_one_consent(f"sqlite:///{database}"))
    (tmp_path / ".env.local").write_text(f"DATABASE_URL=sqlite:///{database}\n")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)

    done = subprocess.run(
        [sys.executable, "-m", "ops", "consent", "export", "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "AJ_env" in done.stdout
