"""The benchmark command runs (quick mode) and its table has every row. No timing asserts:
the figures depend on the machine; only their presence is checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ROUND_TRIP_ITEMS = [
    f"{path} → {until}"
    for path in (
        "consent: yes",
        "consent: no (policy hang_up)",
        "consent: no (policy continue_unrecorded)",
        "consent: ambiguous answer",
    )
    for until in ("agent's next words", "end of the agent's turn")
] + [
    '"I want a manager" → agent\'s next words',
    '"I want a manager" → manager\'s first words',
    "form: a field's answer → next question",
    "form: a field's answer → end of the form",
    "form: last answer → end of the agent's turn",
]
OVERHEAD_ITEMS = [
    "wall time per turn, p50",
    "wall time per turn, p95",
    "ratio ours / bare Agent (p50)",
]
SHUTDOWN_ITEMS = [
    "hang-up → record stored, analysis model answering after 1 s (p50 / max)",
    "hang-up → record stored, analysis model never answering (p50 / max)",
]
FIRST_AUDIO_ITEMS = [
    f"session start → first audio, {label} (p50 / p95)"
    for label in (
        "no lookup",
        "lookup answering at once",
        "lookup slower than its 800 ms budget",
    )
]
DELIVERY_ITEMS = [
    "call end → receiver 2xx, notified sender (p50 / p95)",
    "call end → receiver 2xx, worker's sender as agent.py runs it (p50 / p95)",
    "call end → receiver 2xx, polling sender, python -m delivery defaults (p50 / p95)",
    "sustained deliveries/s, batch 10 (default)",
    "sustained deliveries/s, batch 50",
]


def test_quick_run_prints_and_writes_every_row(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    markdown = (tmp_path / "quick.md").read_text()
    assert markdown in done.stdout
    assert "| Benchmark | What | Ours | Baseline | Target | Met | How measured |" in markdown
    rows = json.loads((tmp_path / "quick.json").read_text())["rows"]
    seen = {(r["section"], r["item"]) for r in rows}

    expected = {("LLM round trips", i) for i in ROUND_TRIP_ITEMS}
    expected |= {("App overhead per turn", i) for i in OVERHEAD_ITEMS}
    expected |= {("Job shutdown with the analysis", i) for i in SHUTDOWN_ITEMS}
    expected |= {("Consent question: first audio", i) for i in FIRST_AUDIO_ITEMS}
    expected |= {(f"Delivery ({db})", i) for db in ("SQLite", "PostgreSQL") for i in DELIVERY_ITEMS}
    assert expected <= seen, sorted(expected - seen)
    assert any(section == "Audio path capacity" for section, _ in seen)
    for row in rows:
        # Every figure says how it was measured; every cell is in the Markdown table.
        assert row["how"], row
        assert f"| {row['section']} | {row['item']} |" in markdown.replace("\\|", "|")
        if row["met"] != "not measured":
            assert row["ours"] not in ("", "—"), row
