"""Consent records: append-only hash chain, tamper detection, retention."""

from __future__ import annotations

from datetime import timedelta

from store import Store
from store.base import utcnow
from tests.store.support import consent_record, raw_execute


async def _append(store: Store, count: int) -> list:
    return [await store.append_consent(consent_record(i)) for i in range(count)]


async def test_rows_link_to_their_predecessor_and_verify(store: Store) -> None:
    rows = await _append(store, 3)
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash
    report = await store.verify_consent_chain()
    assert report.ok, report.describe()
    assert (report.rows_checked, report.head_seq, report.head_hash) == (3, 3, rows[2].hash)
    stored = await store.consent_records()
    assert stored[1].record() == consent_record(1)


async def test_empty_chain_verifies(store: Store) -> None:
    report = await store.verify_consent_chain()
    assert report.ok and report.rows_checked == 0


async def test_edited_decision_is_reported_at_that_row(store: Store, store_url: str) -> None:
    await _append(store, 4)
    raw_execute(
        store_url,
        "UPDATE consent_chain SET content = replace(content, '\"decision\":true', "
        "'\"decision\":false') WHERE seq = 2",
    )
    assert (await store.consent_records())[1].decision is False  # the edit took
    report = await store.verify_consent_chain()
    assert not report.ok
    assert report.broken_seq == 2
    assert "edited" in report.describe()


async def test_edited_caller_identity_is_detected(store: Store, store_url: str) -> None:
    await _append(store, 3)
    raw_execute(
        store_url,
        "UPDATE consent_identity SET identity = replace(identity, '+14155550123', "
        "'+14155559999') WHERE seq = 3",
    )
    report = await store.verify_consent_chain()
    assert not report.ok and report.broken_seq == 3
    assert "identity" in (report.problem or "")


async def test_every_column_of_a_row_is_covered(store: Store, store_url: str) -> None:
    """Each column an attacker could change, one at a time: verify names the row and why."""
    tampering = [
        ("UPDATE consent_chain SET job_id = 'AJ_other' WHERE seq = 2", "moved to another call"),
        (
            "UPDATE consent_identity SET identity = replace(identity, 'room0', 'roomX') "
            "WHERE seq = 2",
            "identity",
        ),
        (
            "UPDATE consent_chain SET recorded_at = '2020-01-01T00:00:00.000000Z' WHERE seq = 2",
            "edited",
        ),
        ("UPDATE consent_chain SET identity_digest = 'x' WHERE seq = 2", "edited"),
        ("UPDATE consent_identity SET identity = NULL, salt = NULL WHERE seq = 2", "never erased"),
        ("DELETE FROM consent_identity WHERE seq = 2", "never erased"),
    ]
    for statement, why in tampering:
        await store.apply_retention(days=10_000)  # a no-op: nothing is that old
        rows = await _append(store, 1)
        raw_execute(store_url, statement.replace("seq = 2", f"seq = {rows[0].seq}"))
        report = await store.verify_consent_chain()
        assert not report.ok and report.broken_seq == rows[0].seq, statement
        assert why in (report.problem or ""), (statement, report.problem)
        raw_execute(store_url, "DELETE FROM consent_identity")
        raw_execute(store_url, "DELETE FROM consent_chain")
        raw_execute(store_url, "UPDATE consent_head SET seq = 0, hash = '" + "0" * 64 + "'")


async def test_deleted_middle_row_is_detected(store: Store, store_url: str) -> None:
    await _append(store, 5)
    raw_execute(store_url, "DELETE FROM consent_identity WHERE seq = 3")
    raw_execute(store_url, "DELETE FROM consent_chain WHERE seq = 3")
    report = await store.verify_consent_chain()
    assert not report.ok and report.broken_seq == 3
    assert "missing" in (report.problem or "")


async def test_deleted_row_with_renumbered_successors_is_detected(
    store: Store, store_url: str
) -> None:
    # A careful forger closes the gap: the links still give it away.
    await _append(store, 4)
    raw_execute(store_url, "DELETE FROM consent_identity WHERE seq >= 2")
    raw_execute(store_url, "DELETE FROM consent_chain WHERE seq = 2")
    for seq in (3, 4):
        raw_execute(store_url, "UPDATE consent_chain SET seq = ? WHERE seq = ?", (seq - 1, seq))
    raw_execute(store_url, "UPDATE consent_head SET seq = 3")
    report = await store.verify_consent_chain()
    assert not report.ok and report.broken_seq == 2


async def test_deleted_last_row_is_detected(store: Store, store_url: str) -> None:
    await _append(store, 3)
    raw_execute(store_url, "DELETE FROM consent_identity WHERE seq = 3")
    raw_execute(store_url, "DELETE FROM consent_chain WHERE seq = 3")
    report = await store.verify_consent_chain()
    assert not report.ok and report.broken_seq == 3
    assert "deleted" in (report.problem or "")


async def test_retention_erases_old_identity_and_the_chain_still_verifies(store: Store) -> None:
    rows = await _append(store, 3)
    now = utcnow()
    none = await store.apply_retention(days=30, now=now + timedelta(days=29))
    assert none.erased == 0
    dry = await store.apply_retention(days=30, now=now + timedelta(days=31), dry_run=True)
    assert dry.erased == 3
    assert all(r.caller is not None for r in await store.consent_records())

    result = await store.apply_retention(days=30, now=now + timedelta(days=31))
    assert result.erased == 3
    after = await store.consent_records()
    for before, row in zip(rows, after, strict=True):
        assert row.caller is None and row.room is None and row.identity_erased
        # the decision, the wording and the timestamps stay
        assert row.decision == before.decision
        assert row.content == before.content
        assert row.recorded_at == before.recorded_at
        assert "+14155550123" not in str(row.export())
    report = await store.verify_consent_chain()
    assert report.ok, report.describe()
    again = await store.apply_retention(days=30, now=now + timedelta(days=31))
    assert again.erased == 0


async def test_chain_continues_across_reopen(store_url: str) -> None:
    from store import open_store

    first = await open_store(store_url)
    a = await first.append_consent(consent_record(0))
    await first.close()
    second = await open_store(store_url)  # migration is idempotent
    try:
        b = await second.append_consent(consent_record(1))
        assert (b.seq, b.prev_hash) == (2, a.hash)
        assert (await second.verify_consent_chain()).ok
    finally:
        await second.close()


async def test_records_of_one_call_and_the_first_few(store: Store) -> None:
    await _append(store, 4)
    await store.append_consent(consent_record(1, decision=False))  # the caller withdrew
    call = await store.consent_records(job_id="AJ_job1")
    assert [(r.seq, r.decision) for r in call] == [(2, True), (5, False)]
    assert [r.seq for r in await store.consent_records(limit=2)] == [1, 2]
    assert [r.seq for r in await store.consent_records(job_id="AJ_job1", limit=1)] == [2]
    assert await store.consent_records(job_id="AJ_nobody") == []
