"""Form files that used to crash the loader or load wrong: each is a form error naming the
file and the field, wherever the author meets it (`load_form`, `python -m forms validate`,
the agent's start)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import SettingsError, load_settings
from forms.__main__ import main
from forms.loader import FormError, load_form

ROOT = Path(__file__).resolve().parents[2]

FORM = """\
name: callback
title: Call back
instructions: Arrange a callback.
welcome: Let's arrange a call back.
fields:
  - name: topic
    type: string
    description: what it's about
  - name: when
    type: number
    description: in how many days
    integer: true
    min: 1
    max: 30
  - name: people
    type: list
    description: who to call
    fields:
      - {name: who, type: string, description: their name}
      - {name: phone, type: phone, description: their number}
ending:
  final_words: Thanks, goodbye.
  incomplete_words: Sorry, goodbye.
"""


def variant(old: str, new: str) -> bytes:
    assert old in FORM, old
    return FORM.replace(old, new, 1).encode()


# case -> (the file's bytes, the field the problem must name, words of the fix)
CASES: dict[str, tuple[bytes, str, str]] = {
    "latin-1 text": (
        FORM.replace("what it's about", "the café's order").encode("latin-1"),
        "fields.topic.description",
        "UTF-8",
    ),
    "latin-1 in a key": (
        FORM.replace("welcome:", "wélcome:").encode("cp1252"),
        ":4:",
        "UTF-8",
    ),
    "max .inf on an integer": (variant("max: 30", "max: .inf"), "fields.when.max", "finite"),
    "min .nan": (variant("min: 1", "min: .nan"), "fields.when.min", "finite"),
    "min -.inf": (variant("min: 1", "min: -.inf"), "fields.when.min", "finite"),
    "max_length .inf": (
        variant(
            "description: what it's about", "description: what it's about\n    max_length: .inf"
        ),
        "fields.topic.max_length",
        "finite",
    ),
    "max_items .nan": (
        variant("description: who to call", "description: who to call\n    max_items: .nan"),
        "fields.people.max_items",
        "finite",
    ),
    "a key twice at the top": (
        variant("title: Call back", "title: Call back\ntitle: Callback"),
        "title",
        "twice",
    ),
    "a key twice in a field": (
        variant("    min: 1\n", "    min: 1\n    min: 2\n"),
        "fields.when.min",
        "twice",
    ),
    "a key twice in a sub-field": (
        variant(
            "{name: who, type: string, description: their name}",
            "{name: who, type: string, description: their name, type: email}",
        ),
        "fields.people.fields.who.type",
        "twice",
    ),
    "a key twice in the ending": (
        variant("  final_words: Thanks, goodbye.", "  final_words: Thanks.\n  final_words: Bye."),
        "ending.final_words",
        "twice",
    ),
    "blank final_words": (
        variant("final_words: Thanks, goodbye.", 'final_words: "   "'),
        "ending.final_words",
        "blank",
    ),
    "blank incomplete_words": (
        variant("incomplete_words: Sorry, goodbye.", "incomplete_words: ' '"),
        "ending.incomplete_words",
        "blank",
    ),
    "blank instructions": (
        variant("instructions: Arrange a callback.", 'instructions: "\\t \\n"'),
        "instructions",
        "blank",
    ),
    "blank welcome": (
        variant("welcome: Let's arrange a call back.", "welcome: ' '"),
        "welcome",
        "blank",
    ),
    "welcome with nothing after it": (
        variant("welcome: Let's arrange a call back.", "welcome:"),
        "welcome",
        "remove it",
    ),
    "blank title": (variant("title: Call back", "title: '  '"), "title", "blank"),
    "blank description": (
        variant("description: in how many days", "description: ' '"),
        "fields.when.description",
        "blank",
    ),
    "blank sub-field description": (
        variant("description: their number", "description: '  '"),
        "fields.people.fields.phone.description",
        "blank",
    ),
}


def write(tmp_path: Path, case: str) -> Path:
    directory = tmp_path / case.replace(" ", "_")
    directory.mkdir()
    path = directory / "callback.yaml"
    path.write_bytes(CASES[case][0])
    return path


def named(problems: list[str], path: Path, case: str) -> list[str]:
    """The problems that name the file, the field and the fix."""
    _, field, fix = CASES[case]
    return [p for p in problems if p.startswith(str(path)) and field in p and fix in p]


@pytest.mark.parametrize("case", sorted(CASES))
def test_load_form_names_the_file_and_the_field(tmp_path: Path, case: str) -> None:
    path = write(tmp_path, case)
    with pytest.raises(FormError) as caught:
        load_form(path)
    assert named(caught.value.problems, path, case), caught.value.problems


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_exits_1_and_names_the_file_and_the_field(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, case)
    assert main(["validate", str(path)]) == 1
    assert named(capsys.readouterr().err.splitlines(), path, case)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_agent_does_not_start_and_says_why(tmp_path: Path, case: str) -> None:
    path = write(tmp_path, case)
    with pytest.raises(SettingsError) as caught:
        load_settings(forms={"forms_dir": path.parent, "forms_sales_form": ""})
    [problem] = caught.value.problems
    assert problem.startswith("FORMS_DIR: the forms don't load")
    lines = [line.strip() for line in problem.splitlines()]
    assert named(lines, path, case), problem


def test_the_real_command_reports_every_bad_file_and_exits_1(tmp_path: Path) -> None:
    paths = {case: write(tmp_path, case) for case in CASES}
    env = {k: v for k, v in os.environ.items() if k != "FORMS_DIR"}
    done = subprocess.run(
        [sys.executable, "-m", "forms", "validate", *map(str, paths.values())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    for case, path in paths.items():
        assert named(lines, path, case), (case, done.stderr)
