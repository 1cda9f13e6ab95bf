"""The results table: one row per figure, each with how it was measured."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any


@dataclass
class Row:
    section: str
    item: str
    ours: str
    baseline: str
    target: str
    met: str  # "yes", "no", "—" (no target) or "not measured"
    how: str


def fmt_ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


def environment() -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = ""
    commit = commit or "unknown (not a git checkout)"
    load = os.getloadavg()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "python": platform.python_version(),
        "livekit_agents": version("livekit-agents"),
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in load],
        "platform": platform.platform(),
    }


def markdown(rows: list[Row], env: dict[str, Any], methods: dict[str, str], quick: bool) -> str:
    lines = [
        "# Benchmark results" + (" (quick mode: fewer turns and calls)" if quick else ""),
        "",
        f"Run {env['date']} on commit `{env['commit']}`: Python {env['python']}, "
        f"livekit-agents {env['livekit_agents']}, {env['cpus']} CPU(s), load average at "
        f"start {env['loadavg_at_start']} (1/5/15 min), at end {env.get('loadavg_at_end')}.",
        "",
        "The machine is shared with other work (tests running in parallel): times carry "
        "that contention. Where a figure was repeated, the spread across repeats is given.",
        "",
        "| Benchmark | What | Ours | Baseline | Target | Met | How measured |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [r.section, r.item, r.ours, r.baseline, r.target, r.met, r.how]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "## How each benchmark is measured", ""]
    for name, text in methods.items():
        lines += [f"### {name}", "", text.strip(), ""]
    return "\n".join(lines) + "\n"


def write(out: Path, stem: str, md: str, data: dict[str, Any]) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    md_path, json_path = out / f"{stem}.md", out / f"{stem}.json"
    md_path.write_text(md)
    json_path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return md_path, json_path


def rows_as_dicts(rows: list[Row]) -> list[dict[str, str]]:
    return [asdict(r) for r in rows]
