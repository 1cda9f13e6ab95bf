"""Consent languages as data: each shipped file loads and reads its own phrases; a broken or
unknown one stops the worker at start, naming the file and the entry; the AI disclosure is
part of what every caller hears unless a deployment turns it off (with a warning)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from config.settings import SettingsError, load_settings
from consent.language import BUILT_IN_DIR, LanguageError, load_language, parse_language
from tests.test_settings import _run_worker

EN = BUILT_IN_DIR / "en.yaml"


@pytest.mark.parametrize(
    ("code", "question", "disclosure"),
    [
        ("en", "Do you consent to this recording?", "AI assistant"),
        ("es", "¿Acepta que grabemos esta llamada?", "inteligencia artificial"),
        ("de", "Sind Sie mit der Aufzeichnung einverstanden?", "KI-Assistenten"),
        ("fr", "Acceptez-vous que cet appel soit enregistré ?", "intelligence artificielle"),
    ],
)
def test_each_language_asks_in_its_own_words_with_the_ai_disclosure(
    code: str, question: str, disclosure: str
) -> None:
    consent = load_settings(consent={"consent_language": code}).consent
    asked = consent.question_text(keypad=False)
    assert question in asked and disclosure in asked
    assert consent.language.language == code


def _copy(tmp_path: Path, code: str, edit: tuple[str, str] | None = None) -> Path:
    folder = tmp_path / "languages"
    folder.mkdir(exist_ok=True)
    target = folder / f"{code}.yaml"
    shutil.copy(EN, target)
    text = target.read_text(encoding="utf-8").replace("language: en", f"language: {code}")
    if edit:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    target.write_text(text, encoding="utf-8")
    return folder


def test_a_deployer_adds_a_language_by_adding_a_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "xx", ('question: "Do you consent', 'question: "Consentez-vous'))
    consent = load_settings(
        consent={"consent_language": "xx", "consent_languages_dir": str(folder)}
    ).consent
    assert "Consentez-vous to this recording?" in consent.question_text(keypad=False)
    assert consent.grammar.read("yes").kind == "yes"


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            ('    - "yeah"\n', '    - "not bad"\n'),
            'grammar.affirmative[1] "not bad": contains the negation "not"',
        ),
        (
            ('    - "yeah"\n', '    - "yes if"\n'),
            'grammar.affirmative[1] "yes if": contains the condition "if"',
        ),
        (('    - "uh"\n', '    - "no"\n'), 'grammar.fillers[0] "no": contains the negation "no"'),
        (('    - "yeah"\n', '    - "nope"\n'), "is also a refusal"),
        (('    - "yeah"\n', '    - "..."\n'), 'grammar.affirmative[1] "...": has no words'),
        (
            ('  question: "Do you consent to this recording?"', '  question: "  "'),
            "wording.question: Value error, must not be blank",
        ),
        (("  confirm: ", "  konfirm: "), "wording.konfirm: Extra inputs are not permitted"),
        (("language: xx", "language: en"), "the file is named for 'xx'"),
        (("  refusal:\n", "  refusal: 7\n"), "grammar.refusal: Input should be a valid list"),
        (("name: English", "name: English\nname: Again"), "written twice"),
    ],
)
def test_a_malformed_language_file_is_an_error_naming_file_and_entry(
    tmp_path: Path, edit: tuple[str, str], problem: str
) -> None:
    folder = _copy(tmp_path, "xx", edit)
    with pytest.raises(LanguageError) as caught:
        parse_language(folder / "xx.yaml")
    message = str(caught.value)
    assert str(folder / "xx.yaml") in message
    assert problem in message


def test_a_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "xx.yaml"
    bad.write_bytes(EN.read_bytes().replace(b"English", b"\xff\xfeEnglish"))
    with pytest.raises(LanguageError, match="not UTF-8"):
        parse_language(bad)


def test_an_unknown_language_names_the_file_to_add_and_the_known_ones() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(consent={"consent_language": "tlh"})
    message = str(caught.value)
    assert "CONSENT_LANGUAGE='tlh'" in message
    assert "tlh.yaml" in message and "de, en, es, fr" in message
    with pytest.raises(LanguageError):
        load_language("tlh")


def test_the_worker_will_not_start_with_a_broken_language_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "xx", ('    - "yeah"\n', '    - "not bad"\n'))
    done = _run_worker(
        "console", tmp_path, CONSENT_LANGUAGE="xx", CONSENT_LANGUAGES_DIR=str(folder)
    )
    assert done.returncode == 2
    assert 'grammar.affirmative[1] "not bad": contains the negation "not"' in done.stderr
    assert "Traceback" not in done.stderr


def test_turning_off_the_ai_disclosure_warns_once_at_start(tmp_path: Path) -> None:
    consent = load_settings(consent={"consent_disclose_ai": False}).consent
    assert "AI assistant" not in consent.question_text(keypad=False)

    done = _run_worker("--help", tmp_path, CONSENT_DISCLOSE_AI="false")
    assert done.stderr.count("CONSENT_DISCLOSE_AI=false") == 1
    quiet = _run_worker("--help", tmp_path)
    assert "CONSENT_DISCLOSE_AI" not in quiet.stderr


def test_the_disclosure_is_part_of_the_stored_wording_and_its_hash() -> None:
    on = load_settings().consent
    off = load_settings(consent={"consent_disclose_ai": False}).consent
    a, b = on.question_text(keypad=False), off.question_text(keypad=False)
    assert on.wording_version(a) != off.wording_version(b)


def test_every_fixed_line_of_the_call_comes_from_the_language_file_unless_overridden() -> None:
    german = load_settings(consent={"consent_language": "de"})
    assert german.telephony.transfer_busy.startswith("Leider sind gerade alle")
    assert german.wording.out_of_service.startswith("Leider können wir Ihren Anruf")
    assert (
        german.telephony.callback_offer
        == "Möchten Sie, dass jemand aus unserem Team Sie zurückruft?"
    )
    overridden = load_settings(
        consent={"consent_language": "de"}, telephony={"transfer_busy": "Alle sind beschäftigt."}
    )
    assert overridden.telephony.transfer_busy == "Alle sind beschäftigt."


@pytest.mark.parametrize("variable", ["CONSENT_CLARIFY", "TRANSFER_BUSY", "ERROR_APOLOGY"])
def test_a_line_set_to_spaces_is_refused_at_start(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, "   ")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert f"{variable}: is blank" in str(caught.value) or variable in str(caught.value)
