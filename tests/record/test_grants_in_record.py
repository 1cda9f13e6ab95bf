"""Grants in the record: every grant and every refused grant says its currency."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.manager import ManagerAgent
from tests.call.test_grants import manager_model
from tests.harness import offline_call


@pytest.mark.parametrize(
    ("arguments", "currency", "why"),
    [
        ({"amount": 45, "currency": "EUR", "reason": "billing error"}, "EUR", "problem"),
        ({"amount": 45, "reason": "billing error"}, None, None),  # granted, in USD
        ({"amount": 80, "reason": "billing error"}, "USD", "limit"),  # above the 50 USD limit
    ],
)
async def test_a_grant_or_its_refusal_carries_the_currency(
    tmp_path: Path, arguments: dict, currency: str | None, why: str | None
) -> None:
    async with offline_call(
        manager_model("issue_credit", arguments),
        database_path=tmp_path / "c.db",
        agent=ManagerAgent,
    ) as c:
        await c.start()
        await c.caller_says("A credit please")
        record = c.state.to_record().payload()

    refused = [e for e in record["events"] if e["type"] == "grant_refused"]
    if currency is None:
        assert refused == []
        assert [(g["amount"], g["currency"]) for g in record["grants"]] == [("45.00", "USD")]
        [granted] = [e for e in record["events"] if e["type"] == "grant"]
        assert granted["currency"] == "USD"
    else:
        assert [(e["currency"], why in e) for e in refused] == [(currency, True)]
        assert record["grants"] == []
