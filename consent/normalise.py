"""Speech-to-text output as the consent grammar compares it: lower-case words, no accents,
no apostrophes, no punctuation. "That's FINE!" and "thats fine" are the same words."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NOT_A_WORD = re.compile(r"[\W_]+")
_QUESTION_MARKS = frozenset("?¿？﹖‽⁇⁈⁉؟⸮\u037e")  # U+037E: the Greek question mark
# A symbol or emoji ("yes 👎"), or a mark drawn through a word (y̶e̶s̶), is not nothing: it
# becomes a word no grammar holds, so the answer is never a plain yes.
SYMBOL = "xsymbolx"
_OVERLAYS = frozenset(chr(c) for c in (*range(0x0334, 0x0339), 0x20D2, 0x20D3, 0x20E5, 0x20E6))


def _plain_char(c: str) -> str:
    if c in _OVERLAYS or unicodedata.category(c).startswith("S"):
        return f" {SYMBOL} "
    if unicodedata.category(c) == "Cf" or unicodedata.combining(c):
        return ""  # zero-width characters, accents
    return c


def words(text: str) -> tuple[str, ...]:
    """The words of `text`, normalised (NFKD, accents and zero-width characters dropped,
    casefolded; symbols kept as a word of their own)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(_plain_char(c) for c in decomposed).casefold()
    plain = _APOSTROPHES.sub("", plain)
    return tuple(_NOT_A_WORD.sub(" ", plain).split())


def asks(text: str) -> bool:
    """The transcript carries a question mark (in any script)."""
    return any(c in _QUESTION_MARKS for c in text)


def phrase_id(phrase: tuple[str, ...]) -> str:
    """A phrase's name in a rule: ("thats", "fine") -> "thats_fine"."""
    return "_".join(phrase)
