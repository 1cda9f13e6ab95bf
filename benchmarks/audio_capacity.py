"""Benchmark 3: local audio path capacity.

One process runs N concurrent calls of our real agents (consent, then the front desk) on
the real audio path: the real Silero VAD (`silero.VAD.load()`, loaded once per process as
the worker's prewarm does) and the built-in turn detector (`inference.TurnDetector()`,
local `turn-detector-v1-mini`), fed real speech (espeak-ng WAVs in benchmarks/data/) at
real-time pace by a microphone stand-in that produces 20 ms frames on a wall-clock schedule.
STT, LLM and TTS are scripted (`tests.fakes.audio`, `offline.scripted_llm`): they cost ~nothing,
so the figures are the local audio path plus the framework and our app.

Each level N runs in a fresh child process for a fixed wall time, so RSS is that of a
process holding exactly N calls. Levels grow until one fails to keep up with real time.

    .venv/bin/python -m benchmarks.audio_capacity            # full run (~4 min), writes
                                                             # results/audio_capacity.{md,json}
    .venv/bin/python -m benchmarks.audio_capacity --quick    # two short levels, no files
    .venv/bin/python -m benchmarks.audio_capacity --level 4 --seconds 20   # one level, JSON
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import platform
import random
import resource
import sys
import time
import wave
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
RESULTS = Path(__file__).resolve().parent / "results"

TARGET_CORE_PER_CALL = 0.05
TARGET_RSS_MB = 250.0

# Keeping up with real time, per level (all must hold):
MAX_INPUT_LAG_P95 = 0.050  # s a mic frame waits before the session takes it
MAX_LOOP_LAG_P95 = 0.050  # s the event loop oversleeps a 20 ms timer
# s from the caller's last voiced sample to the reply, median (1 call: ~0.7 s). Not p95: the
# turn detector now and then judges a turn unfinished and waits max_delay (3 s) by design.
MAX_REPLY_P50 = 1.0
MIN_ANSWERED = 0.95  # share of caller turns that got the agent's reply

TURN_DETECTORS = {
    "builtin": "inference.TurnDetector() -> turn-detector-v1-mini (local, in-process)",
    "vad": "VAD only (no turn-detector model)",
}

UTTERANCES = [  # the WAVs, in the order the caller says them, and what the STT "hears"
    ("caller_01_yes.wav", "Yes, that's fine."),
    ("caller_02_invoice.wav", "I have a question about my last invoice."),
    ("caller_03_address.wav", "It was sent to my old address, not the new one."),
    ("caller_04_check.wav", "Can you check that for me, please?"),
]
REPLY = "Sure, let me look into that for you."
HOW_CAN_I_HELP = "How can I help you today?"


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (16000, 1, 2):
            raise ValueError(f"{path}: expected 16 kHz mono 16-bit (see data/generate.sh)")
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def _rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB, from /proc/self/status."""
    values = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, kb, _ = line.split()
                values[key] = int(kb) / 1024
    return values.get("VmRSS:", 0.0), values.get("VmHWM:", 0.0)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # all threads of the process
    return usage.ru_utime + usage.ru_stime


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class CallStats:
    turns: int = 0
    answered: int = 0
    response: list[float] = field(default_factory=list)  # caller stops -> reply starts
    input_lags: list[float] = field(default_factory=list)
    error: str | None = None


@dataclass
class Level:
    n: int
    seconds: float
    wall: float
    cpu: float
    core_per_call: float
    cpu_cores: float
    rss_mb: float
    peak_rss_mb: float
    rss_before_models_mb: float
    rss_models_mb: float
    turns: int
    answered: int
    response_p50: float
    response_p95: float
    input_lag_p95: float
    loop_lag_p95: float
    loop_lag_max: float
    vad_min_silence: float
    turn_detector: str
    errors: list[str]
    keeps_up: bool = False

    def judge(self) -> Level:
        answered_share = self.answered / self.turns if self.turns else 0.0
        self.keeps_up = bool(
            not self.errors
            and self.input_lag_p95 <= MAX_INPUT_LAG_P95
            and self.loop_lag_p95 <= MAX_LOOP_LAG_P95
            and self.response_p50 <= MAX_REPLY_P50
            and answered_share >= MIN_ANSWERED
        )
        return self


# -- one level, in this process -----------------------------------------------------------


async def _loop_lag_probe(lags: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.02)
        lags.append(time.perf_counter() - start - 0.02)


async def _one_call(
    index: int,
    vad: Any,
    speech: list[np.ndarray],
    stop: asyncio.Event,
    stats: CallStats,
    turn_detection: str,
) -> None:
    from livekit.agents import inference

    from call.controls import SessionOnlyControls
    from call.journal import Journal
    from call.session_watch import bind_call
    from config.settings import load_settings
    from offline.scripted_llm import Script, ScriptedLLM, say
    from pipeline.models import ModelKit
    from tests.fakes.audio import REAL_TIME, CallerMic, ScriptedSTT, ScriptedVoice, Speaker
    from tests.fakes.audio_call import audio_session, default_agent

    script = Script()
    script.when(lambda r: r.offers("route_to") and not r.answering_user, say(HOW_CAN_I_HELP))
    script.otherwise = say(REPLY)
    llm = ScriptedLLM(script)
    texts = [text for _, text in UTTERANCES]
    ear = ScriptedSTT(transcripts=itertools.islice(itertools.cycle(texts), 1000), final_delay=0.5)
    mic = CallerMic(pace=REAL_TIME)
    speaker = Speaker(pace=REAL_TIME)
    voice = ScriptedVoice(f"front desk {index}")
    session = audio_session(
        llm=llm,
        stt=ear,
        vad=vad,
        tts=voice,
        pace=REAL_TIME,
        turn_detection=inference.TurnDetector() if turn_detection == "builtin" else "vad",
    )
    session.input.audio = mic
    session.output.audio = speaker
    state = bind_call(
        session,
        settings=load_settings(),
        models=ModelKit(llm=llm, stt=ear, tts=voice),
        journal=Journal(_NullStore()),
        controls=SessionOnlyControls(session),
        job_id=f"AJ_bench_{index}",
        room=f"bench-{index}",
    )
    try:
        await session.start(default_agent(state))
        await speaker.next_playback(after=0, within=30)  # the consent question
        for turn in itertools.count():
            if stop.is_set():
                break
            await mic.pauses(0.4)
            heard_before = len(speaker.playbacks)
            samples = speech[turn % len(speech)]
            await mic.plays(samples)
            # the caller stops speaking where the voice stops, not where the WAV's silence ends
            spoke_until = time.time() - _trailing_silence(samples)
            stats.turns += 1
            try:
                reply = await speaker.next_playback(after=heard_before, within=8)
            except TimeoutError:
                continue
            stats.answered += 1
            stats.response.append(reply.started_at - spoke_until)
    except Exception as exc:  # a crash is a result: report it
        stats.error = f"{type(exc).__name__}: {exc}"
    finally:
        stats.input_lags = mic.stats.lags
        with contextlib.suppress(Exception):
            await session.aclose()
        mic.hang_up()


class _NullStore:
    """The benchmark measures the audio path, not the store."""

    async def append_consent(self, record: Any) -> None:
        return None

    async def save_call(self, record: Any) -> str:
        return "bench"


def _trailing_silence(samples: np.ndarray) -> float:
    loud = np.nonzero(np.abs(samples.astype(np.int32)) > 300)[0]
    return 0.0 if loud.size == 0 else float(len(samples) - 1 - loud[-1]) / 16000


async def run_level(n: int, seconds: float, turn_detection: str = "builtin") -> Level:
    logging.basicConfig(level=logging.ERROR)
    rss_before, _ = _rss_mb()
    from livekit.plugins import silero

    # every module a call uses is imported before the clock starts: imports are per process
    import agents.customer_service  # noqa: F401
    import call.call
    import call.controls
    import call.journal  # noqa: F401
    import tests.fakes.audio
    import tests.fakes.audio_call  # noqa: F401
    from config.settings import load_settings

    load_settings()

    vad = silero.VAD.load()  # once per process, as the worker's prewarm does
    speech = [_read_wav(DATA / name) for name, _ in UTTERANCES]
    rss_models, _ = _rss_mb()

    stop = asyncio.Event()
    loop_lags: list[float] = []
    probe = asyncio.create_task(_loop_lag_probe(loop_lags, stop))
    stats = [CallStats() for _ in range(n)]
    cpu0, t0 = _cpu_seconds(), time.perf_counter()

    async def staggered(i: int) -> None:
        await asyncio.sleep(random.uniform(0, min(2.0, seconds / 10)))
        await _one_call(i, vad, speech, stop, stats[i], turn_detection)

    calls = [asyncio.create_task(staggered(i)) for i in range(n)]
    await asyncio.sleep(seconds)
    stop.set()
    rss, peak = _rss_mb()
    cpu1, t1 = _cpu_seconds(), time.perf_counter()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 20)
    await probe

    wall, cpu = t1 - t0, cpu1 - cpu0
    responses = [r for s in stats for r in s.response]
    min_silence = float(vad._opts.min_silence_duration)
    return Level(
        n=n,
        seconds=seconds,
        wall=wall,
        cpu=cpu,
        core_per_call=cpu / wall / n,
        cpu_cores=cpu / wall,
        rss_mb=rss,
        peak_rss_mb=peak,
        rss_before_models_mb=rss_before,
        rss_models_mb=rss_models,
        turns=sum(s.turns for s in stats),
        answered=sum(s.answered for s in stats),
        response_p50=_p(responses, 0.5),
        response_p95=_p(responses, 0.95),
        input_lag_p95=_p([lag for s in stats for lag in s.input_lags], 0.95),
        loop_lag_p95=_p(loop_lags, 0.95),
        loop_lag_max=max(loop_lags, default=float("nan")),
        vad_min_silence=min_silence,
        turn_detector=TURN_DETECTORS[turn_detection],
        errors=[s.error for s in stats if s.error],
    ).judge()


# -- the ladder of levels, each in a child process ------------------------------------------


async def _level_in_child(n: int, seconds: float, *, turn_detection: str = "builtin") -> Level:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.audio_capacity",
        "--level",
        str(n),
        "--seconds",
        str(seconds),
        "--turn-detection",
        turn_detection,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"level {n} failed:\n{err.decode()[-2000:]}")
    return Level(**json.loads(out.decode().strip().splitlines()[-1]))


@dataclass
class Capacity:
    levels: list[Level]
    vad_only: Level
    max_n: int | None
    cores: int
    cpu_model: str
    method: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "measured": True,
            "cores": self.cores,
            "cpu_model": self.cpu_model,
            "max_concurrent_calls_keeping_up": self.max_n,
            "targets": {"core_per_call": TARGET_CORE_PER_CALL, "rss_mb_per_job": TARGET_RSS_MB},
            "keep_up_criteria": {
                "input_lag_p95_s": MAX_INPUT_LAG_P95,
                "loop_lag_p95_s": MAX_LOOP_LAG_P95,
                "reply_p50_s": MAX_REPLY_P50,
                "answered_share_min": MIN_ANSWERED,
            },
            "method": self.method,
            "levels": [asdict(level) for level in self.levels],
            "reference_one_call_vad_only_turns": asdict(self.vad_only),
        }


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


METHOD = {
    "core_per_call": "process CPU time (getrusage RUSAGE_SELF: user+sys, all threads, incl. "
    "Silero and turn-detector threads) / wall time of the level / N",
    "rss": "VmRSS of the child process that holds the N calls, read at the end of the level "
    "(VmHWM = peak); the N=1 level is one job process with one call",
    "keeps_up": f"all of: mic frame wait p95 ≤ {MAX_INPUT_LAG_P95 * 1000:.0f} ms, event-loop "
    f"oversleep p95 ≤ {MAX_LOOP_LAG_P95 * 1000:.0f} ms, reply median ≤ "
    f"{MAX_REPLY_P50:.1f} s after the caller's voice stops, ≥ "
    f"{MIN_ANSWERED:.0%} of caller turns answered, no call crashed",
    "response": "caller's last voiced sample -> the reply starts playing (VAD silence window + "
    "endpointing + turn detector + scripted LLM/TTS, ~0 s)",
    "speech": "espeak-ng en-us WAVs (benchmarks/data/, 1.7-3.1 s each), 0.4 s pause between "
    "turns, caller waits for each reply; calls start staggered over the first seconds",
}


async def measure(*, quick: bool = False) -> Capacity:
    """Run the ladder of levels; stop at the first that doesn't keep up (or at 2 cores)."""
    seconds = 12.0 if quick else 25.0
    ladder = [1, 4] if quick else [1, 2, 4, 8, 16, 24, 32, 48, 64]
    levels: list[Level] = []

    async def run(n: int) -> Level:
        print(f"audio capacity: {n} concurrent call(s) for {seconds:.0f} s…", file=sys.stderr)
        level = await _level_in_child(n, seconds)
        levels.append(level)
        print(
            f"  {level.core_per_call:.3f} core/call, RSS {level.rss_mb:.0f} MB, keeps up: "
            f"{level.keeps_up}",
            file=sys.stderr,
        )
        return level

    good = 0
    for n in ladder:
        level = await run(n)
        if not level.keeps_up:
            if not quick and n - good > 2:
                await run((n + good) // 2)  # one step back between the last good and this
            break
        good = n
        if level.cpu_cores > 0.95 * (os.cpu_count() or 1):
            break
    levels.sort(key=lambda lv: lv.n)
    kept = [lv.n for lv in levels if lv.keeps_up]
    print("audio capacity: 1 call, VAD-only turns (reference)…", file=sys.stderr)
    reference = await _level_in_child(1, seconds, turn_detection="vad")
    return Capacity(
        levels=levels,
        vad_only=reference,
        max_n=max(kept) if kept else None,
        cores=os.cpu_count() or 0,
        cpu_model=_cpu_model(),
        method=METHOD,
    )


def rows(result: Capacity) -> list[dict[str, str]]:
    """Rows for the shared results table (section, item, ours, baseline, target, met, how)."""
    one = next((lv for lv in result.levels if lv.n == 1), None)
    top = next((lv for lv in result.levels if lv.n == result.max_n), None)

    def ok(value: bool) -> str:
        return "yes" if value else "**no**"

    out: list[dict[str, str]] = []
    section = "Audio path capacity"
    if one is not None:
        out.append(
            dict(
                section=section,
                item="CPU per call (1 call)",
                ours=f"{one.core_per_call:.3f} core",
                baseline="—",
                target=f"≤ {TARGET_CORE_PER_CALL} core",
                met=ok(one.core_per_call <= TARGET_CORE_PER_CALL),
                how=METHOD["core_per_call"],
            )
        )
        out.append(
            dict(
                section=section,
                item="RSS per job process (1 call)",
                ours=f"{one.rss_mb:.0f} MB (peak {one.peak_rss_mb:.0f})",
                baseline="—",
                target=f"≤ {TARGET_RSS_MB:.0f} MB",
                met=ok(one.peak_rss_mb <= TARGET_RSS_MB),
                how=METHOD["rss"],
            )
        )
    ref = result.vad_only
    out.append(
        dict(
            section=section,
            item="Reference: 1 call, VAD-only turns (no turn-detector model)",
            ours=f"{ref.core_per_call:.3f} core, RSS {ref.rss_mb:.0f} MB",
            baseline="—",
            target=f"≤ {TARGET_CORE_PER_CALL} core, ≤ {TARGET_RSS_MB:.0f} MB",
            met=ok(ref.core_per_call <= TARGET_CORE_PER_CALL and ref.peak_rss_mb <= TARGET_RSS_MB),
            how="same as above with turn_detection='vad': shows what the local turn "
            "detector (turn-detector-v1-mini) costs",
        )
    )
    if top is not None and top is not one:
        out.append(
            dict(
                section=section,
                item=f"CPU per call ({top.n} calls in one process)",
                ours=f"{top.core_per_call:.3f} core",
                baseline="—",
                target=f"≤ {TARGET_CORE_PER_CALL} core",
                met=ok(top.core_per_call <= TARGET_CORE_PER_CALL),
                how=METHOD["core_per_call"],
            )
        )
        out.append(
            dict(
                section=section,
                item=f"RSS of one process with {top.n} calls",
                ours=f"{top.rss_mb:.0f} MB (peak {top.peak_rss_mb:.0f})",
                baseline="—",
                target="—",
                met="—",
                how=METHOD["rss"],
            )
        )
    out.append(
        dict(
            section=section,
            item=f"Largest N keeping up with real time ({result.cores} cores)",
            ours=str(result.max_n) if result.max_n is not None else "none",
            baseline="—",
            target="—",
            met="—",
            how=METHOD["keeps_up"],
        )
    )
    return out


def markdown(result: Capacity) -> str:
    lines = [
        "# Benchmark 3: local audio path capacity",
        "",
        f"Machine: {result.cores} cores ({result.cpu_model}). "
        "Command: `.venv/bin/python -m benchmarks.audio_capacity`.",
        "",
        "| figure | value | target | met | how measured |",
        "|---|---|---|---|---|",
    ]
    for r in rows(result):
        lines.append(f"| {r['item']} | {r['ours']} | {r['target']} | {r['met']} | {r['how']} |")
    lines += [
        "",
        "## Every level (N calls in one fresh process, real-time speech)",
        "",
        "| N | core/call | process cores | RSS MB (peak) | turns answered | reply p50 / p95 | "
        "mic wait p95 | loop lag p95 / max | keeps up |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for lv in result.levels:
        lines.append(
            f"| {lv.n} | {lv.core_per_call:.3f} | {lv.cpu_cores:.2f} | {lv.rss_mb:.0f} "
            f"({lv.peak_rss_mb:.0f}) | {lv.answered}/{lv.turns} | "
            f"{lv.response_p50 * 1000:.0f} / {lv.response_p95 * 1000:.0f} ms | "
            f"{lv.input_lag_p95 * 1000:.1f} ms | "
            f"{lv.loop_lag_p95 * 1000:.1f} / {lv.loop_lag_max * 1000:.0f} ms | "
            f"{'yes' if lv.keeps_up else '**no**'} |"
        )
    first = result.levels[0] if result.levels else None
    lines += ["", "## How", ""]
    lines += [f"- **{k}**: {v}" for k, v in result.method.items()]
    if first is not None:
        lines += [
            f"- RSS of a child process before any model or agent import: "
            f"{first.rss_before_models_mb:.0f} MB; after loading Silero and importing the "
            f"agents: {first.rss_models_mb:.0f} MB.",
            f"- VAD: Silero, min silence {first.vad_min_silence:.2f} s (plugin default). "
            f"Turn detection: {first.turn_detector}. Interruptions: VAD mode.",
        ]
    return "\n".join(lines) + "\n"


def _write(result: Capacity) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "audio_capacity.json").write_text(json.dumps(result.as_dict(), indent=2) + "\n")
    (RESULTS / "audio_capacity.md").write_text(markdown(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="two short levels; writes nothing")
    parser.add_argument("--level", type=int, help="run one level in this process, print JSON")
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--turn-detection", choices=sorted(TURN_DETECTORS), default="builtin")
    args = parser.parse_args()
    if args.level is not None:
        sys.path.insert(0, str(ROOT))
        level = asyncio.run(run_level(args.level, args.seconds, args.turn_detection))
        print(json.dumps(asdict(level)))
        return
    result = asyncio.run(measure(quick=args.quick))
    print(markdown(result))
    if not args.quick:
        _write(result)


if __name__ == "__main__":
    main()
