"""What the model may say while the consent question is open: an answer, never a question.

The model answers the caller's questions about the recording. Whatever it says is checked
before the caller hears it: a sentence that asks something, or that speaks of yes, no,
agreeing or keys ("Say yes if you'd rather we delete it"), is dropped, unless it is one of
the facts from settings word for word. Our own fixed question always follows. So the
caller's next "yes" answers our question, never one the model made up.
"""

from __future__ import annotations

import re

from consent.normalise import asks, words
from consent.reading import Grammar

_SENTENCES = re.compile(r"(?<=[.!?¿¡。])\s+|\n+")
# Words common to answers and to yes-phrases ("you", "that", "is"): not a sign of a question.
_COMMON = frozenset(
    {"i", "you", "we", "it", "that", "this", "is", "the", "a", "an", "to", "be", "do", "can"}
    | {"may", "me", "my", "your", "our", "of", "for", "with", "by"}
)


def _loaded_words(grammar: Grammar) -> frozenset[str]:
    """Words that make a sentence about answering: one-word yeses and noes ("sure", "nope"),
    agreement words ("agree", "consent"), key digits ("1")."""
    one_word = {p[0] for p in grammar.affirmative | grammar.refusal if len(p) == 1}
    digits = {w for p in grammar.keypad_agree | grammar.keypad_decline for w in p if w.isdigit()}
    return frozenset((one_word | digits | set(grammar.agreement_words)) - _COMMON)


def safe_answer(text: str, *, grammar: Grammar, facts: list[str], fallback: str) -> str:
    """The model's words with every question and every yes/no/key sentence taken out;
    `fallback` when nothing is left."""
    loaded = _loaded_words(grammar)
    allowed = {" ".join(words(f)) for f in facts}
    kept = []
    for sentence in (s.strip() for s in _SENTENCES.split(text)):
        if not sentence:
            continue
        found = words(sentence)
        a_fact = any(" ".join(found) in fact for fact in allowed)
        if a_fact or not (asks(sentence) or set(found) & loaded):
            kept.append(sentence)
    return " ".join(kept) or fallback
