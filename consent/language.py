"""A language file: every line the caller hears in fixed words (the consent wording, and
the call's other lines), and the grammar that reads the answer to the consent question.
One file a language (`languages/<code>.yaml`); a deployer adds a language by adding a file
here or in `CONSENT_LANGUAGES_DIR`.

Loading validates the file once, at start: every problem is named with the file and the
entry, e.g. ``consent/languages/xx.yaml: grammar.affirmative[3] "not bad": contains the
negation "not"``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from consent.normalise import words

BUILT_IN_DIR = Path(__file__).parent / "languages"
SUFFIX = ".yaml"


class LanguageError(Exception):
    """A consent language that can't be used, with every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


class Wording(BaseModel):
    """What the caller hears around the question, verbatim. `{company}` is filled in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    greeting: str
    ai_disclosure: str
    notice: str
    question: str
    keypad_hint: str
    clarify: str
    confirm: str
    condition: str
    goodbye: str
    continue_unrecorded: str
    no_answer_goodbye: str
    no_answer_unrecorded: str
    withdrawn: str
    cannot_answer: str

    _blank = field_validator("*")(classmethod(lambda cls, v: _not_blank(v)))


class CallLines(BaseModel):
    """Everything else the caller hears in fixed words: failures, transfers, call backs,
    the line's limits (silence, maximum duration) and business hours."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    error_apology: str
    hearing_trouble: str
    out_of_service: str
    transfer_announcement: str
    transfer_connected: str
    transfer_busy: str
    transfer_no_answer: str
    transfer_declined: str
    transfer_voicemail: str
    transfer_human_left: str
    transfer_failed: str
    transfer_unavailable: str
    callback_offer: str
    callback_offer_no_number: str
    callback_confirmed: str
    callback_not_arranged: str
    silence_prompt: str
    silence_goodbye: str
    max_call_warning: str
    max_call_goodbye: str
    after_hours_greeting: str
    after_hours_transfer: str

    _blank = field_validator("*")(classmethod(lambda cls, v: _not_blank(v)))


class Answers(BaseModel):
    """Facts the model may use to answer questions about the recording, and nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    purpose: str
    access: str
    retention: str
    if_no_hang_up: str
    if_no_continue: str
    a_person: str  # the caller asks for a manager or a person: after this question

    _blank = field_validator("*")(classmethod(lambda cls, v: _not_blank(v)))


class Keypad(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    agree: list[str] = Field(min_length=1)
    decline: list[str] = Field(min_length=1)


class GrammarFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    affirmative: list[str] = Field(min_length=1)
    refusal: list[str] = Field(min_length=1)
    withdrawal: list[str] = Field(min_length=1)
    take_back: list[str] = Field(default_factory=list)
    recording_words: list[str] = Field(default_factory=list)
    withdrawal_cues: list[str] = Field(default_factory=list)
    sounds_like_yes: list[str] = Field(default_factory=list)
    alone_only: list[str] = Field(default_factory=list)
    politeness: list[str] = Field(default_factory=list)
    variants: list[list[str]] = Field(default_factory=list)
    ambiguous_with_thanks: list[str] = Field(default_factory=list)
    fillers: list[str] = Field(default_factory=list)
    negations: list[str] = Field(min_length=1)
    conditions: list[str] = Field(default_factory=list)
    hedges: list[str] = Field(default_factory=list)
    agreement_words: list[str] = Field(default_factory=list)
    question_words: list[str] = Field(default_factory=list)
    question_starters: list[str] = Field(default_factory=list)
    requests: list[str] = Field(default_factory=list)
    keypad: Keypad


class ConsentLanguage(BaseModel):
    """One language file, validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    name: str
    wording: Wording
    call: CallLines
    answers: Answers
    grammar: GrammarFile


def _phrase_problems(grammar: GrammarFile) -> list[str]:
    """Entries that could make a non-answer read as an answer."""
    problems: list[str] = []

    def tokens(kind: str, i: int, phrase: str) -> tuple[str, ...]:
        found = words(phrase)
        if not found:
            problems.append(f'grammar.{kind}[{i}] "{phrase}": has no words')
        return found

    lists = {
        kind: [(i, p, tokens(kind, i, p)) for i, p in enumerate(getattr(grammar, kind))]
        for kind in (
            "affirmative",
            "refusal",
            "withdrawal",
            "fillers",
            "negations",
            "conditions",
            "hedges",
            "requests",
            "sounds_like_yes",
            "alone_only",
            "politeness",
            "recording_words",
            "withdrawal_cues",
            "take_back",
        )
    }
    lists["keypad.agree"] = [
        (i, p, tokens("keypad.agree", i, p)) for i, p in enumerate(grammar.keypad.agree)
    ]
    lists["keypad.decline"] = [
        (i, p, tokens("keypad.decline", i, p)) for i, p in enumerate(grammar.keypad.decline)
    ]
    guards = [
        *((w, "negation") for _, _, w in lists["negations"] if w),
        *((w, "condition") for _, _, w in lists["conditions"] if w),
        *((w, "hedge") for _, _, w in lists["hedges"] if w),
    ]
    # A yes-phrase or a filler must never hide a negation or a condition: that is what
    # keeps "okay, I do mind" or "sure, if you delete it" from ever reading as yes.
    for kind in ("affirmative", "fillers", "politeness", "alone_only", "keypad.agree"):
        for i, phrase, found in lists[kind]:
            for guard, what in guards:
                if _contains(found, guard):
                    problems.append(
                        f'grammar.{kind}[{i}] "{phrase}": contains the {what} "{" ".join(guard)}"'
                    )
                    break
    refusals = {w for _, _, w in lists["refusal"]} | {w for _, _, w in lists["keypad.decline"]}
    fillers = {w for _, _, w in lists["fillers"]}
    for kind in ("affirmative", "keypad.agree"):
        for i, phrase, found in lists[kind]:
            if found in refusals:
                problems.append(f'grammar.{kind}[{i}] "{phrase}": is also a refusal')
            if found in fillers:
                problems.append(f'grammar.{kind}[{i}] "{phrase}": is also a filler')
    for i, phrase, found in lists["refusal"]:
        if found in fillers:
            problems.append(f'grammar.refusal[{i}] "{phrase}": is also a filler')
    affirmatives = {w for _, _, w in lists["affirmative"]}
    for i, phrase, found in lists["alone_only"]:
        if found not in affirmatives:
            problems.append(f'grammar.alone_only[{i}] "{phrase}": is not an affirmative')
    return problems


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_language(path: Path) -> ConsentLanguage:
    """Read and validate one language file. Raises LanguageError naming the file and entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LanguageError([f"{path}: not UTF-8 text (byte {exc.start})"]) from None
    except OSError as exc:
        raise LanguageError([f"{path}: cannot be read ({exc.strerror})"]) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise LanguageError([f"{path}: not valid YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise LanguageError([f"{path}: must be a mapping with language, wording and grammar"])
    try:
        language = ConsentLanguage.model_validate(data)
    except ValidationError as exc:
        raise LanguageError(
            [f"{path}: {_location(e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from None
    problems = [f"{path}: {p}" for p in _phrase_problems(language.grammar)]
    if language.language != path.stem:
        problems.append(
            f"{path}: language: is {language.language!r}, but the file is named for {path.stem!r}"
        )
    if problems:
        raise LanguageError(problems)
    return language


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping (YAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is written twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def language_path(code: str, extra_dir: Path | None = None) -> Path | None:
    for folder in (extra_dir, BUILT_IN_DIR):
        if folder is not None and (folder / f"{code}{SUFFIX}").is_file():
            return folder / f"{code}{SUFFIX}"
    return None


def available(extra_dir: Path | None = None) -> list[str]:
    folders = [BUILT_IN_DIR] + ([extra_dir] if extra_dir else [])
    return sorted({p.stem for f in folders if f.is_dir() for p in f.glob(f"*{SUFFIX}")})


@functools.cache
def load_language(code: str, extra_dir: Path | None = None) -> ConsentLanguage:
    """The validated language `code` (cached: files are read once per process)."""
    path = language_path(code, extra_dir)
    if path is None:
        known = ", ".join(available(extra_dir))
        where = f" or {extra_dir}" if extra_dir else ""
        raise LanguageError(
            [
                f"no consent language {code!r}: add {BUILT_IN_DIR / (code + SUFFIX)}{where}, "
                f"or use one of: {known}"
            ]
        )
    return parse_language(path)
