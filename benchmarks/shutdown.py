"""Benchmark 5: the job's shutdown with the call's analysis, against LiveKit's ~10 s limit.

LiveKit kills a job process that takes about 10 s to shut down (`shutdown_process_timeout`,
10 s in livekit-agents 1.8.9), so everything the call record needs after the caller's
last words must fit well inside it: the analysis call (summary and success evaluation),
LiveKit's report on the recording, and storing the record with its outbox row.

How it is measured: a real `AgentSession` through `offline_call` (text mode, the real
agents, store on a temporary SQLite file): the caller says yes, asks about a bill, and
hangs up, the way LiveKit's RoomIO closes the session when a SIP participant leaves. The
analysis is answered by a `ScriptedLLM` that takes `ANALYSIS_LATENCY` seconds before it
starts answering (a realistic time to first token for a summary of a short call). Timed
with `perf_counter` from the hang-up to the return of `save_call_record(state)`, the
coroutine agent.py's job shutdown callback (`finish_call`) awaits: it waits for the
call's background writes (the analysis and the record among them) and stores the record
if it isn't stored yet. A second run has an analysis model that never answers, so the
figure is the bound the settings give (CALL_ANALYSIS_TIMEOUT, default 3 s).

Not included: LiveKit's own steps before the callbacks (closing the session, on_session_end,
disconnecting the room), typically well under a second, and the recording report, which
runs side by side with the analysis within `call.recording.REPORT_SECONDS` (3 s).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from call.analysis import ANALYSIS_TOOL
from call.record import save_call_record
from config.settings import load_settings
from offline.scripted_llm import Reply, Request, Rule, call, say, slow
from tests.call.scripts import at_front_desk, front_desk
from tests.harness import offline_call

ANALYSIS_LATENCY = 1.0
LIVEKIT_LIMIT_SECONDS = 10.0
NEVER = 3600.0  # a model that never answers within any budget


@dataclass
class ShutdownResult:
    calls: int
    analysis_latency: float
    analysis_timeout: float
    answered_s: list[float] = field(default_factory=list)
    stalled_s: list[float] = field(default_factory=list)
    answered_statuses: list[str] = field(default_factory=list)
    stalled_statuses: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "analysis_latency_s": self.analysis_latency,
            "analysis_timeout_s": self.analysis_timeout,
            "answered_p50_s": statistics.median(self.answered_s),
            "answered_max_s": max(self.answered_s),
            "stalled_p50_s": statistics.median(self.stalled_s),
            "stalled_max_s": max(self.stalled_s),
            "limit_s": LIVEKIT_LIMIT_SECONDS,
            "answered_analysis": sorted(set(self.answered_statuses)),
            "stalled_analysis": sorted(set(self.stalled_statuses)),
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.summary(), "raw": asdict(self)}


def _script(delay: float) -> Any:
    s = front_desk()

    def analysis(_: Request) -> Reply:
        return slow(call(ANALYSIS_TOOL, summary="A caller asked about a bill."), delay)

    s.rules.insert(0, Rule(lambda r: r.offers(ANALYSIS_TOOL), analysis))
    s.when(
        lambda r: at_front_desk(r) and r.user_said("bill"), call("route_to", department="billing")
    )
    s.when(lambda r: r.offers("record_billing_issue"), say("Billing here."))
    return s


async def _one(delay: float, directory: Path, n: int) -> tuple[float, str]:
    async with offline_call(
        _script(delay), settings=load_settings(), database_path=directory / f"s{n}.db"
    ) as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("my bill is wrong")
        started = time.perf_counter()
        await c.hang_up()
        await save_call_record(c.state)  # what the job's shutdown callback awaits
        elapsed = time.perf_counter() - started
        analysis = c.state.analysis
        return elapsed, analysis.analysis.status if analysis else "missing"


async def measure(*, quick: bool = False) -> ShutdownResult:
    calls = 2 if quick else 5
    result = ShutdownResult(
        calls=calls,
        analysis_latency=ANALYSIS_LATENCY,
        analysis_timeout=load_settings().call_record.call_analysis_timeout,
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(calls):
            elapsed, status = await _one(ANALYSIS_LATENCY, Path(tmp), n)
            result.answered_s.append(elapsed)
            result.answered_statuses.append(status)
            elapsed, status = await _one(NEVER, Path(tmp), 100 + n)
            result.stalled_s.append(elapsed)
            result.stalled_statuses.append(status)
    return result
