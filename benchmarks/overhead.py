"""Benchmark 2: the app's overhead per turn, our front desk vs a bare `Agent`.

How it is measured: two real `AgentSession`s in one event loop, same settings (text mode,
no room, `vad=None`, no turn detection, the offline harness's connection options), each
on its own zero-latency `ScriptedLLM` running the same rule-following script:

- ours: `CustomerServiceAgent` through `offline_call` (consent answered "yes" first, so
  the front desk is active, with its `llm_node`, tools, call state and session watchers);
- bare: `Agent(instructions=<the same front-desk instructions>)`, no tools, no state.

A turn is `session.run(user_input="What are your opening hours?")`, timed with
`perf_counter` from the call to the returned `RunResult`; on both sides it costs exactly
one model request and one spoken answer (checked on every turn), so like is compared with
like. Turns alternate ours/bare (order flipped every turn) so contention from other
processes hits both alike; the first turns of each round are a warm-up and not counted.
Each round uses fresh sessions; the ratio is reported per round and as a median.
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from livekit.agents import Agent, AgentSession

from agents.customer_service import CUSTOMER_SERVICE_INSTRUCTIONS
from benchmarks.common import percentile, rule_following_model
from config.settings import load_settings
from offline.scripted_llm import ScriptedLLM
from tests.harness import FAST_CONN, offline_call

QUESTION = "What are your opening hours?"


@dataclass
class OverheadResult:
    rounds: int
    turns_per_round: int
    warmup_turns: int
    ours_ms: list[float] = field(default_factory=list)
    bare_ms: list[float] = field(default_factory=list)
    round_ratios: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        o50, b50 = percentile(self.ours_ms, 50), percentile(self.bare_ms, 50)
        return {
            "turns_measured_per_side": len(self.ours_ms),
            "ours_p50_ms": o50,
            "ours_p95_ms": percentile(self.ours_ms, 95),
            "bare_p50_ms": b50,
            "bare_p95_ms": percentile(self.bare_ms, 95),
            "ratio_p50_pooled": o50 / b50,
            "ratio_p95_pooled": percentile(self.ours_ms, 95) / percentile(self.bare_ms, 95),
            "ratio_p50_per_round": self.round_ratios,
            "ratio_p50_median_of_rounds": statistics.median(self.round_ratios),
            "rounds": self.rounds,
            "turns_per_round": self.turns_per_round,
            "warmup_turns": self.warmup_turns,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary()}


async def _timed_turn(session: AgentSession, model: ScriptedLLM) -> float:
    before = len(model.requests)
    start = time.perf_counter()
    result = await session.run(user_input=QUESTION)
    elapsed = time.perf_counter() - start
    said = [e for e in result.events if e.type == "message" and e.item.role == "assistant"]
    if len(model.requests) - before != 1 or len(said) != 1:
        raise AssertionError(
            f"a turn must cost one model request and one answer on both sides, got "
            f"{len(model.requests) - before} request(s) and {len(said)} answer(s)"
        )
    return elapsed * 1000


async def _round(turns: int, warmup: int, result: OverheadResult) -> None:
    ours_llm = ScriptedLLM(rule_following_model, label="ours")
    bare_llm = ScriptedLLM(rule_following_model, label="bare")
    settings = load_settings()
    instructions = CUSTOMER_SERVICE_INSTRUCTIONS.format(company=settings.persona.company_name)
    bare: AgentSession = AgentSession(
        llm=bare_llm, vad=None, turn_handling={"turn_detection": None}, conn_options=FAST_CONN
    )
    with tempfile.TemporaryDirectory() as tmp:
        async with offline_call(
            rule_following_model,
            session_llm=ours_llm,
            settings=settings,
            database_path=Path(tmp) / "bench.db",
        ) as call:
            try:
                await bare.start(Agent(instructions=instructions), capture_run=True)
                await call.start()
                await call.caller_says("yes")  # consent: the front desk is now active
                ours_ms: list[float] = []
                bare_ms: list[float] = []
                for i in range(warmup + turns):
                    pair = [(call.session, ours_llm, ours_ms), (bare, bare_llm, bare_ms)]
                    if i % 2:
                        pair.reverse()
                    for session, model, sink in pair:
                        ms = await _timed_turn(session, model)
                        if i >= warmup:
                            sink.append(ms)
            finally:
                with contextlib.suppress(Exception):
                    await bare.aclose()
    result.ours_ms.extend(ours_ms)
    result.bare_ms.extend(bare_ms)
    result.round_ratios.append(statistics.median(ours_ms) / statistics.median(bare_ms))


async def measure(*, rounds: int = 5, turns: int = 200, warmup: int = 20) -> OverheadResult:
    result = OverheadResult(rounds=rounds, turns_per_round=turns, warmup_turns=warmup)
    for _ in range(rounds):
        await _round(turns, warmup, result)
    return result
