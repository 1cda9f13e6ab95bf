"""Usage in the record and, with a price table in settings, what the call likely cost."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from call.analysis import ANALYSIS_TOOL
from call.usage import cost
from config.call_record import ModelPrice
from config.settings import SettingsError, load_settings
from offline.scripted_llm import call
from store.record_measures import LLMUsage, STTUsage, TTSUsage, Usage
from tests.record.test_analysis import billing_payload

PRICES = {
    "scripted": {"per_million_prompt_tokens": 0.4, "per_million_completion_tokens": 1.6},
}


async def test_a_price_table_gives_a_cost_estimate_from_the_calls_own_usage(
    tmp_path: Path,
) -> None:
    payload = await billing_payload(
        tmp_path,
        call(ANALYSIS_TOOL, summary="A summary."),
        call_record={"usage_prices": json.dumps(PRICES), "usage_currency": "EUR"},
    )
    [llm] = payload["usage"]["llm"]
    analysis = payload["analysis"]["usage"]
    estimate = payload["usage"]["cost"]
    assert estimate["currency"] == "EUR"
    expected = [
        Decimal(u["prompt_tokens"]) * Decimal("0.4") / 1_000_000
        + Decimal(u["completion_tokens"]) * Decimal("1.6") / 1_000_000
        for u in (llm, analysis)
    ]
    assert [Decimal(i["amount"]) for i in estimate["items"]] == [
        e.quantize(Decimal("0.000001")) for e in expected
    ]
    assert Decimal(estimate["total"]) == sum(Decimal(i["amount"]) for i in estimate["items"])
    assert estimate["unpriced"] == []


def test_models_without_a_price_are_listed_not_guessed() -> None:
    used = Usage(
        llm=[LLMUsage(provider="openai", model="gpt-x", prompt_tokens=10)],
        stt=[STTUsage(provider="deepgram", model="nova-3", audio_seconds=60)],
        tts=[TTSUsage(provider="cartesia", model="sonic-3", characters=1000)],
    )
    prices = {"nova-3": ModelPrice(per_minute_audio=Decimal("0.0077"))}
    estimate = cost(used, [], prices=prices, currency="USD")
    assert estimate is not None
    assert [(i.kind, i.model, i.amount) for i in estimate.items] == [("stt", "nova-3", "0.007700")]
    assert estimate.unpriced == ["gpt-x", "sonic-3"]
    assert cost(used, [], prices={}, currency="USD") is None  # no table: no estimate


@given(
    prompt=st.integers(0, 10**7),
    cached=st.integers(0, 10**7),
    completion=st.integers(0, 10**6),
    seconds=st.floats(0, 36_000, allow_nan=False),
    characters=st.integers(0, 10**7),
    price=st.decimals(0, 100, places=4, allow_nan=False, allow_infinity=False),
)
def test_an_estimate_is_never_negative_and_adds_up(
    prompt: int, cached: int, completion: int, seconds: float, characters: int, price: Decimal
) -> None:
    used = Usage(
        llm=[
            LLMUsage(
                provider="p",
                model="m",
                prompt_tokens=prompt,
                prompt_cached_tokens=min(cached, prompt),
                completion_tokens=completion,
            )
        ],
        stt=[STTUsage(provider="p", model="s", audio_seconds=round(seconds, 3))],
        tts=[TTSUsage(provider="p", model="t", characters=characters)],
    )
    table = {
        "m": ModelPrice(
            per_million_prompt_tokens=price,
            per_million_cached_prompt_tokens=price / 2,
            per_million_completion_tokens=price,
        ),
        "s": ModelPrice(per_minute_audio=price),
        "t": ModelPrice(per_million_characters=price),
    }
    estimate = cost(used, [], prices=table, currency="USD")
    assert estimate is not None
    amounts = [Decimal(i.amount) for i in estimate.items]
    assert all(a >= 0 for a in amounts)
    assert Decimal(estimate.total) == sum(amounts)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("not json", "USAGE_PRICES='not json': is not JSON"),
        ('["gpt"]', "must be a JSON object of model -> prices"),
        ('{"gpt": {"per_token": 1}}', "'gpt': per_token: Extra inputs are not permitted"),
        ('{"gpt": {"per_minute_audio": -1}}', "'gpt': per_minute_audio: Input should be greater"),
    ],
)
def test_a_bad_price_table_is_refused_saying_what_to_fix(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    monkeypatch.setenv("USAGE_PRICES", value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert problem in str(error.value)
