"""What the call used, from LiveKit's own usage reporting, and what that is likely to cost.

LiveKit aggregates its models' metrics per provider and model (`AgentSession.usage`, the
same figures as `session_usage_updated`): LLM prompt and completion tokens, STT audio
seconds, TTS characters. The analysis call after the call is counted on its own
(`analysis.usage`) and included in the cost. The cost is an estimate from the price table
in settings (USAGE_PRICES), left out when no table is configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from livekit.agents.metrics import (
    AgentSessionUsage,
    LLMModelUsage,
    STTModelUsage,
    TTSModelUsage,
)

from config.call_record import ModelPrice
from store.record_measures import CostEstimate, CostItem, LLMUsage, STTUsage, TTSUsage, Usage

MILLION = Decimal(1_000_000)
COST_PLACES = Decimal("0.000001")


def usage(session_usage: AgentSessionUsage) -> Usage:
    llms, stts, ttss = [], [], []
    for u in session_usage.model_usage:
        if isinstance(u, LLMModelUsage):
            llms.append(
                LLMUsage(
                    provider=u.provider,
                    model=u.model,
                    prompt_tokens=u.input_tokens,
                    prompt_cached_tokens=u.input_cached_tokens,
                    completion_tokens=u.output_tokens,
                )
            )
        elif isinstance(u, STTModelUsage):
            stts.append(
                STTUsage(
                    provider=u.provider, model=u.model, audio_seconds=round(u.audio_duration, 3)
                )
            )
        elif isinstance(u, TTSModelUsage):
            ttss.append(
                TTSUsage(
                    provider=u.provider,
                    model=u.model,
                    characters=u.characters_count,
                    audio_seconds=round(u.audio_duration, 3),
                )
            )
    return Usage(llm=llms, stt=stts, tts=ttss)


def _llm_cost(u: LLMUsage, price: ModelPrice) -> Decimal:
    cached = min(u.prompt_cached_tokens, u.prompt_tokens)
    uncached = u.prompt_tokens - cached
    cached_price = price.per_million_cached_prompt_tokens
    if cached_price is None:  # no cache price: cached tokens cost what the others do
        cached_price, uncached = price.per_million_prompt_tokens, u.prompt_tokens
        cached = 0
    total = Decimal(0)
    for tokens, per_million in (
        (uncached, price.per_million_prompt_tokens),
        (cached, cached_price),
        (u.completion_tokens, price.per_million_completion_tokens),
    ):
        if per_million is not None and tokens:
            total += Decimal(tokens) * per_million / MILLION
    return total


def cost(
    used: Usage,
    analysis: Sequence[LLMUsage],
    *,
    prices: dict[str, ModelPrice],
    currency: str,
) -> CostEstimate | None:
    """The estimated cost of `used` (and the analysis call), or None without a price table."""
    if not prices:
        return None
    items: list[CostItem] = []
    unpriced: list[str] = []

    def add(kind: str, model: str, amount: Decimal | None) -> None:
        if amount is None:
            if model not in unpriced:
                unpriced.append(model)
            return
        items.append(CostItem(kind=kind, model=model, amount=str(amount.quantize(COST_PLACES))))

    for u in [*used.llm, *analysis]:
        price = prices.get(u.model)
        token_priced = price is not None and (
            price.per_million_prompt_tokens is not None
            or price.per_million_completion_tokens is not None
        )
        add("llm", u.model, _llm_cost(u, price) if price and token_priced else None)
    for s in used.stt:
        price = prices.get(s.model)
        per_minute = price.per_minute_audio if price else None
        amount = Decimal(str(s.audio_seconds)) / 60 * per_minute if per_minute is not None else None
        add("stt", s.model, amount)
    for t in used.tts:
        price = prices.get(t.model)
        per_million = price.per_million_characters if price else None
        amount = Decimal(t.characters) * per_million / MILLION if per_million is not None else None
        add("tts", t.model, amount)
    total = sum((Decimal(i.amount) for i in items), Decimal(0))
    return CostEstimate(
        currency=currency, total=str(total.quantize(COST_PLACES)), items=items, unpriced=unpriced
    )
