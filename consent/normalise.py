"""Speech-to-text output as the consent grammar compares it: lower-case words, no accents,
no apostrophes, no punctuation. "That's FINE!" and "thats fine" are the same words."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NOT_A_WORD = re.compile(r"[\W_]+")
_QUESTION_MARKS = ("?", "¿", "？")


def words(text: str) -> tuple[str, ...]:
    """The words of `text`, normalised (NFKD, accents dropped, casefolded)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = _APOSTROPHES.sub("", plain)
    return tuple(_NOT_A_WORD.sub(" ", plain).split())


def asks(text: str) -> bool:
    """The transcript carries a question mark."""
    return any(mark in text for mark in _QUESTION_MARKS)


def phrase_id(phrase: tuple[str, ...]) -> str:
    """A phrase's name in a rule: ("thats", "fine") -> "thats_fine"."""
    return "_".join(phrase)
