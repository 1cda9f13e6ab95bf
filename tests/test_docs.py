"""The README is an index a newcomer reads on one screen: short, linking every doc, saying
nothing a doc says again; and every link in the README and the docs leads somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


def test_the_readme_fits_on_a_screen_or_two() -> None:
    assert len(README.read_text().splitlines()) <= 200


def test_the_readme_links_every_doc() -> None:
    linked = {
        (README.parent / link.split("#")[0]).resolve() for link in _LINK.findall(README.read_text())
    }
    assert [d.name for d in DOCS if d.resolve() not in linked] == []


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: p.name)
def test_every_link_leads_somewhere(page: Path) -> None:
    broken = []
    for link in _LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", link):
            continue  # https:, mailto:
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        missing_anchor = bool(anchor) and target.suffix == ".md" and target.exists()
        if not target.exists() or (missing_anchor and anchor not in _anchors(target)):
            broken.append(link)
    assert broken == []


def _sentences(text: str) -> list[str]:
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    prose = "\n".join(line for line in prose.splitlines() if not line.startswith("|"))
    found = re.split(r"(?<=[.!?])\s+", " ".join(prose.split()))
    return [s for s in found if len(s.split()) >= 8]


def test_the_readme_says_nothing_a_doc_says_again() -> None:
    docs = " ".join(" ".join(d.read_text().split()) for d in DOCS)
    assert [s for s in _sentences(README.read_text()) if s in docs] == []
