"""Form files as their authors meet them: each mistake named with file, field path and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import SettingsError, load_settings
from forms.__main__ import main
from forms.loader import FormError, load_form

VALID = """\
name: callback
instructions: Arrange a callback.
fields:
{fields}
ending:
  final_words: Thanks, goodbye.
"""


def write(tmp_path: Path, fields: str, name: str = "callback.yaml") -> Path:
    path = tmp_path / name
    path.write_text(VALID.format(fields=fields))
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(FormError) as caught:
        load_form(path)
    return caught.value.problems


def test_a_field_without_a_type(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {name: topic, description: what it's about}")
    assert problems_of(path) == [
        f"{path}: fields.topic.type: `type` is missing: set `type` to one of: string, number, "
        "boolean, choice, date, email, phone, address, person_name, date_of_birth, "
        "keypad_digits, object, list"
    ]


def test_an_unknown_type_suggests_the_closest(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {name: when, type: datetime, description: a time}")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: fields.when.type: unknown type 'datetime'")
    assert "did you mean 'date'?" in problem


def test_a_list_without_item_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {name: attendees, type: list, description: who comes}")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: fields.attendees: a list field needs `fields`")


def test_duplicate_field_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  - {name: phone, type: phone, description: a number}\n"
        "  - {name: phone, type: string, description: another}",
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: fields: duplicate field name 'phone'")
    assert "rename one" in problem


def test_duplicate_names_inside_a_list_item(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  - name: meds\n    type: list\n    description: medications\n    fields:\n"
        "      - {name: dose, type: string, description: a}\n"
        "      - {name: dose, type: string, description: b}",
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: fields.meds.fields: duplicate field name 'dose'")


def test_bad_bounds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  - {name: rating, type: number, description: a rating, min: 5, max: 1}\n"
        "  - {name: guests, type: list, description: who, min_items: 3, max_items: 2,"
        " fields: [{name: n, type: string, description: name}]}",
    )
    assert problems_of(path) == [
        f"{path}: fields.rating: bad bounds: min (5) is greater than max (1); swap them",
        f"{path}: fields.guests: bad bounds: min_items (3) is greater than max_items (2); "
        "swap them",
    ]


def test_an_option_on_the_wrong_type_and_a_misspelt_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  - {name: topic, type: string, description: t, max: 3}\n"
        "  - {name: ok, type: boolean, description: b, requird: false}",
    )
    assert problems_of(path) == [
        f"{path}: fields.topic: `max` does not apply to a string field (it is for: number); "
        "remove it or change the type",
        f"{path}: fields.ok.requird: unknown key `requird`: did you mean `required`?",
    ]


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nfields: [\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:3:1: not valid YAML")


def test_the_cli_validates_and_exits_with_a_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, "  - {name: topic, type: string, description: what}", "good.yaml")
    assert main(["validate", str(good)]) == 0
    assert f"ok  {good}: callback (1 fields)" in capsys.readouterr().out

    bad = write(tmp_path, "  - {name: topic, description: what}", "bad.yaml")
    assert main(["validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: fields.topic.type: `type` is missing" in err

    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    assert main(["validate"]) == 0  # the shipped templates


def test_a_bad_form_stops_the_agent_at_start(tmp_path: Path) -> None:
    write(tmp_path, "  - {name: n, type: number, description: n, min: 9, max: 1}")
    with pytest.raises(SettingsError) as caught:
        load_settings(forms={"forms_dir": tmp_path, "forms_sales_form": ""})
    [problem] = caught.value.problems
    assert problem.startswith("FORMS_DIR: the forms don't load")
    assert str(tmp_path / "callback.yaml") in problem
    assert "fields.n: bad bounds: min (9) is greater than max (1)" in problem


def test_settings_name_only_forms_that_exist() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(forms={"forms_default": "intake", "forms_by_number": {"555": "x"}})
    assert caught.value.problems == [
        "FORMS_DEFAULT='intake': no form named 'intake' in "
        f"{Path('forms/templates').resolve()} (forms: customer_feedback, lead_qualification, "
        "message, patient_intake)",
        # every bad entry, not just the first
        "FORMS_BY_NUMBER: '555' is not an E.164 number like +15550100; no form named 'x' in "
        f"{Path('forms/templates').resolve()} (forms: customer_feedback, lead_qualification, "
        "message, patient_intake)",
    ]


def test_ask_must_be_words_the_caller_can_hear(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '  - {name: topic, type: string, description: t, ask: "   "}\n'
        "  - {name: when, type: date, description: w, ask: }\n"
        f"  - {{name: why, type: string, description: y, ask: '{'Why? ' * 41}'}}",
    )
    assert problems_of(path) == [
        f"{path}: fields.topic.ask: `ask` is empty: write the words the caller hears, e.g. "
        '`ask: "What\'s your date of birth?"`, or remove it to let the model ask',
        f"{path}: fields.when: `ask` is empty: write the words the caller hears, e.g. "
        '`ask: "What\'s your date of birth?"`, or remove it to let the model ask',
        f"{path}: fields.why.ask: `ask` is 204 characters long; the caller hears it verbatim, "
        "so keep it to one short spoken question (at most 200 characters) and put details in "
        "`description`",
    ]


def test_ask_belongs_to_the_field_that_is_asked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  - name: insurance\n    type: object\n    description: the insurance\n    fields:\n"
        '      - {name: provider, type: string, description: p, ask: "Who is it with?"}\n'
        '  - {name: topic, type: string, description: t, ask_another: "Anything else?"}\n'
        "  - {name: meds, type: list, description: m, asks_another: 'More?',"
        " fields: [{name: n, type: string, description: name}]}",
    )
    assert problems_of(path) == [
        f"{path}: fields.insurance: sub-field 'provider' has `ask`, but sub-fields are not "
        "asked one by one: an object is asked as a whole; move the question to the `ask` of "
        "'insurance'",
        f"{path}: fields.topic: `ask_another` does not apply to a string field (it is for: "
        "list); remove it or change the type",
        f"{path}: fields.meds.asks_another: unknown key `asks_another`: did you mean "
        "`ask_another`?",
    ]


def test_ask_is_one_spoken_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  - name: topic\n    type: string\n    description: t\n    ask: |\n"
        "      What's it\n      about?\n",
    )
    assert load_form(path).fields[0].ask == "What's it about?"
