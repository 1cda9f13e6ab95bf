"""Money the model asks for: only whole cents of the line's currency are ever granted.

The manager's `issue_credit` / `issue_refund` are called by a model, which may name another
currency, a symbol, a fraction of a cent, a negative or non-finite amount, or a huge one.
Whatever it sends, the call's record holds either exactly the amount asked for, in the
line's currency and within the manager's authority, or nothing (the model is told why, and
the caller hears an answer).
"""

from __future__ import annotations

import math
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.manager import ManagerAgent
from offline.scripted_llm import Reply, Script, ToolCall, say
from tests.harness import offline_call, spoken

HELLO = "I'm the manager. How can I make this right?"
LIMITS = {"credit": Decimal("50"), "refund": Decimal("200")}


def manager_model(tool: str, arguments: dict[str, Any]) -> Script:
    """The manager greets, calls `tool` with `arguments` when the caller asks, then reads
    out what the tool said."""
    s = Script()
    s.when(
        lambda r: r.offers(tool) and r.user_said("please"),
        Reply(calls=(ToolCall(tool, arguments),)),
    )
    s.when(
        lambda r: r.offers(tool) and r.last_tool_output is not None,
        lambda r: say(
            ("Sorry, " if r.last_tool_output.is_error else "Done: ") + r.last_tool_output.output
        ),
    )
    s.when(lambda r: r.offers(tool) and not r.answering_user, say(HELLO))
    return s


def tool_output(result: Any) -> Any:
    [output] = [e.item for e in result.events if e.type == "function_call_output"]
    return output


async def grant_once(tool: str, arguments: dict[str, Any], database: Path) -> dict[str, Any]:
    """One call at the manager: the caller asks, the model calls `tool` with `arguments`.
    What the caller heard, what the model was told, and what the record holds."""
    async with offline_call(
        manager_model(tool, arguments), database_path=database, agent=ManagerAgent
    ) as c:
        await c.start()
        result = await c.caller_says("A credit please")
        output = tool_output(result)
        return {
            "error": output.is_error,
            "told": output.output,
            "heard": spoken(result),
            "grants": list(c.state.outcome.grants),
            "grant_events": [e for e in c.state.outcome.events if e["type"] == "grant"],
            "ended": c.closed.is_set(),
        }


KINDS = {"credit": "issue_credit", "refund": "issue_refund"}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("currency", ["EUR", "eur", " GBP ", "€", "$", "US$", "dollars", ""])
async def test_another_currency_is_refused_and_told_which_to_use(
    tmp_path: Path, kind: str, currency: str
) -> None:
    args = {"amount": 45, "currency": currency, "reason": "billing error"}
    out = await grant_once(KINDS[kind], args, tmp_path / "c.db")
    assert out["error"]
    assert "USD" in out["told"]
    assert out["grants"] == [] and out["grant_events"] == []
    assert out["heard"][0].startswith("Sorry, ")  # the caller hears an answer
    assert not out["ended"]


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("currency", ["USD", "usd", " Usd ", "USD\n", None])
async def test_the_line_currency_in_any_case_or_spacing_is_granted(
    tmp_path: Path, kind: str, currency: str | None
) -> None:
    args: dict[str, Any] = {"amount": 45, "reason": "billing error"}
    if currency is not None:
        args["currency"] = currency
    out = await grant_once(KINDS[kind], args, tmp_path / "c.db")
    assert not out["error"], out["told"]
    assert [(g.kind, g.amount, g.currency) for g in out["grants"]] == [
        (kind, Decimal("45.00"), "USD")
    ]
    assert out["heard"] == [f"Done: {kind.capitalize()} of 45.00 USD issued."]


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize(
    "amount",
    [
        0.001,
        0.004,
        0.005,
        12.345,
        0,
        -5,
        -0.001,
        math.nan,
        math.inf,
        -math.inf,
        1e300,
        10**30,
        True,
        "45 EUR",
        "€45",
    ],
)
async def test_amounts_that_are_not_whole_positive_cents_are_refused(
    tmp_path: Path, kind: str, amount: Any
) -> None:
    args = {"amount": amount, "currency": "USD", "reason": "billing error"}
    out = await grant_once(KINDS[kind], args, tmp_path / "c.db")
    assert out["error"]
    assert "amount" in out["told"]  # the model is told what is wrong, not "internal error"
    assert out["grants"] == [] and out["grant_events"] == []
    assert not any("issued" in words for words in out["heard"])
    assert out["heard"][0].startswith("Sorry, ")
    assert not out["ended"]


async def test_a_fraction_of_a_cent_is_refused_with_the_amounts_that_would_do(
    tmp_path: Path,
) -> None:
    out = await grant_once(
        "issue_credit",
        {"amount": 12.345, "currency": "USD", "reason": "late fee"},
        tmp_path / "c.db",
    )
    assert out["error"]
    assert "whole cents" in out["told"] and "12.34" in out["told"] and "12.35" in out["told"]


async def test_a_currency_under_another_name_is_refused_not_dropped(tmp_path: Path) -> None:
    args = {"amount": 45, "currency_code": "EUR", "reason": "billing error"}
    out = await grant_once("issue_credit", args, tmp_path / "c.db")
    assert out["error"]
    assert "currency_code" in out["told"] and "USD" in out["told"]
    assert out["grants"] == []


# -- the whole class: any amount, any currency --------------------------------------------

CURRENCIES = st.one_of(
    st.none(),  # left out: the line's currency
    st.sampled_from(
        ["USD", "usd", " USD", "Usd\t", "EUR", "eur", "€", "$", "US$", "GBP", "JPY", "U S D"]
    ),
    st.sampled_from(["ＵＳＤ", "uſd", "USD.", "USDT"]),  # look-alikes are not the code
    st.text(max_size=5),
)
AMOUNTS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-1, max_value=250, places=2, allow_nan=False).map(float),
    st.decimals(min_value=0, max_value=1, places=3, allow_nan=False).map(float),
    st.integers(min_value=-(10**40), max_value=10**40),
)


def expected(amount: float | int, currency: str | None, limit: Decimal) -> Decimal | None:
    """What a careful manager grants: the exact amount, or nothing."""
    if currency is not None:
        code = currency.strip()
        if not (code.isascii() and code.upper() == "USD"):
            return None
    try:
        value = Decimal(str(float(amount)))
    except (InvalidOperation, OverflowError):
        return None
    if not value.is_finite() or value <= 0 or value > limit:
        return None
    return value if value == value.quantize(Decimal("0.01")) else None


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kind=st.sampled_from(sorted(KINDS)), amount=AMOUNTS, currency=CURRENCIES)
async def test_what_is_granted_is_exactly_what_was_asked_or_nothing(
    kind: str, amount: float | int, currency: str | None
) -> None:
    args: dict[str, Any] = {"amount": amount, "reason": "billing error"}
    if currency is not None:
        args["currency"] = currency
    with tempfile.TemporaryDirectory() as tmp:
        out = await grant_once(KINDS[kind], args, Path(tmp) / "c.db")
    want = expected(amount, currency, LIMITS[kind])
    if want is None:
        assert out["error"] and out["grants"] == [], (amount, currency, out["told"])
    else:
        assert not out["error"], (amount, currency, out["told"])
        [grant] = out["grants"]
        assert (grant.kind, grant.amount, grant.currency) == (kind, want, "USD")
        assert grant.amount == want.quantize(Decimal("0.01"))
    assert out["heard"]  # the caller always hears an answer
    assert not out["ended"]
