"""`python -m ops`: what an operator runs, and what they see when they get it wrong."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from ops.cli import main
from store import open_store
from tests.delivery.receiver import SECRET
from tests.store.support import consent_record, raw_execute, save_calls

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'calls.db'}"

    async def seed() -> None:
        store = await open_store(url)
        try:
            for i in range(3):
                await store.append_consent(consent_record(i))
            ids = await save_calls(store, 3)
            await store.claim_outbox(sender_id="s", limit=3, lease_seconds=30)
            await store.mark_delivered(ids[0], sender_id="s", status=200)
            await store.mark_failed(
                ids[1], sender_id="s", error="HTTP 500", status=500, next_attempt_at=None
            )
            await store.release([ids[2]], sender_id="s")
        finally:
            await store.close()

    asyncio.run(seed())
    return url


def ids_by_status(db: str, status: str, capsys) -> list[str]:
    assert main(["outbox", "list", "--status", status, "--json", "--database-url", db]) == 0
    return [r["webhook_id"] for r in json.loads(capsys.readouterr().out)]


def test_list_show_and_replay_dead_rows(db: str, capsys) -> None:
    [dead] = ids_by_status(db, "dead", capsys)
    assert len(ids_by_status(db, "pending", capsys)) == 1
    assert len(ids_by_status(db, "delivered", capsys)) == 1

    assert main(["outbox", "show", dead, "--database-url", db]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "dead" and shown["last_error"] == "HTTP 500"
    assert shown["payload"]["job_id"] == "AJ_job1"

    assert main(["outbox", "replay", dead, "--database-url", db]) == 0
    assert "replayed 1" in capsys.readouterr().out
    assert ids_by_status(db, "dead", capsys) == []
    assert len(ids_by_status(db, "pending", capsys)) == 2

    assert main(["outbox", "list", "--status", "all", "--database-url", db]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split()[:3] == ["webhook_id", "job_id", "status"]


def test_bad_input_is_explained_with_exit_codes(db: str, capsys, tmp_path: Path) -> None:
    assert main(["outbox", "show", "42", "--database-url", db]) == 2
    assert "not a webhook id" in capsys.readouterr().err
    assert main(["outbox", "show", "msg_000000000000ffff", "--database-url", db]) == 1
    assert "no outbox row" in capsys.readouterr().err
    assert main(["outbox", "replay", "--database-url", db]) == 2
    assert "--all-dead" in capsys.readouterr().err
    missing = f"sqlite:///{tmp_path / 'nope.db'}"
    assert main(["outbox", "list", "--database-url", missing]) == 2
    assert "no store at" in capsys.readouterr().err
    assert main(["outbox", "list", "--database-url", "mysql://x/y"]) == 2
    assert "postgresql://" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["outbox", "list", "--status", "lost"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_consent_export_csv_and_json(db: str, capsys, tmp_path: Path) -> None:
    assert main(["consent", "export", "--format", "csv", "--database-url", db]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["job_id"] for r in rows] == ["AJ_job0", "AJ_job1", "AJ_job2"]
    assert rows[0]["decision"] == "True" and rows[0]["caller_phone_number"] == "+14155550123"

    out = tmp_path / "consent.json"
    assert (
        main(["consent", "export", "--format", "json", "-o", str(out), "--database-url", db]) == 0
    )
    exported = json.loads(out.read_text())
    assert len(exported) == 3 and exported[2]["prev_hash"] == exported[1]["hash"]


def test_verify_then_tamper_then_verify(db: str, capsys) -> None:
    assert main(["consent", "verify", "--database-url", db]) == 0
    assert "OK: 3 row(s)" in capsys.readouterr().out
    raw_execute(db, "UPDATE consent_chain SET content = replace(content, 'yes', 'no') WHERE seq=2")
    assert main(["consent", "verify", "--database-url", db]) == 1
    assert "BROKEN at row #2" in capsys.readouterr().out


def test_a_consent_row_moved_to_another_call_is_named_by_verify(db: str, capsys) -> None:
    raw_execute(db, "UPDATE consent_chain SET job_id = 'AJ_someone_else' WHERE seq = 2")
    assert main(["consent", "verify", "--database-url", db]) == 1
    out = capsys.readouterr().out
    assert "BROKEN at row #2" in out and "moved to another call" in out


def test_retention_erases_identity_and_chain_still_verifies(db: str, capsys) -> None:
    assert main(["consent", "retention", "--days", "0", "--dry-run", "--database-url", db]) == 0
    assert "would erase caller identity on 3" in capsys.readouterr().out
    assert main(["consent", "retention", "--days", "0", "--database-url", db]) == 0
    assert "erased caller identity on 3" in capsys.readouterr().out
    assert main(["consent", "export", "--format", "json", "--database-url", db]) == 0
    exported = capsys.readouterr().out
    assert "+14155550123" not in exported and '"decision": true' in exported
    assert main(["consent", "verify", "--database-url", db]) == 0


def test_webhook_verify_checks_a_received_payload(tmp_path: Path, capsys, monkeypatch) -> None:
    body = b'{"job_id":"AJ_1","status":"complete"}'
    now = int(time.time())
    signature = Webhook(SECRET).sign("msg_abc", datetime.fromtimestamp(now, UTC), body.decode())
    (tmp_path / "body.json").write_bytes(body)
    (tmp_path / "headers.txt").write_text(
        f"webhook-id: msg_abc\nwebhook-timestamp: {now}\nwebhook-signature: {signature}\n"
    )
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    args = ["webhook", "verify", "--body", str(tmp_path / "body.json")]
    assert main([*args, "--headers", str(tmp_path / "headers.txt")]) == 0
    assert "valid signature for msg_abc" in capsys.readouterr().out

    (tmp_path / "body.json").write_bytes(body.replace(b"complete", b"declined"))
    assert main([*args, "--headers", str(tmp_path / "headers.txt")]) == 1
    assert "INVALID" in capsys.readouterr().out

    assert main([*args, "-H", "webhook-id: msg_abc"]) == 2
    assert "missing header(s): webhook-timestamp, webhook-signature" in capsys.readouterr().err
    monkeypatch.delenv("WEBHOOK_SECRET")
    assert main([*args, "--headers", str(tmp_path / "headers.txt")]) == 2
    assert "set WEBHOOK_SECRET" in capsys.readouterr().err


def test_endpoint_status_and_enable_after_410(db: str, capsys, monkeypatch) -> None:
    url = "https://hooks.example.com/calls"
    monkeypatch.setenv("WEBHOOK_URL", url)

    async def gone() -> None:
        store = await open_store(db)
        await store.disable_endpoint(url, "410 Gone")
        await store.close()

    asyncio.run(gone())
    assert main(["endpoint", "status", "--database-url", db]) == 1
    assert "DISABLED" in capsys.readouterr().out
    assert main(["endpoint", "enable", "--database-url", db]) == 0
    assert main(["endpoint", "status", "--database-url", db]) == 0


def test_runs_as_a_module(db: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ops", "outbox", "stats", "--database-url", db],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"pending": 1, "delivered": 1, "dead": 1}
    secret = subprocess.run(
        [sys.executable, "-m", "ops", "webhook", "new-secret"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    Webhook(secret)  # a usable Standard Webhooks secret
    assert secret.startswith("whsec_")
