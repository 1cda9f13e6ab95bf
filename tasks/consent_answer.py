"""Reading a caller's answer to the consent question, in code.

Compliance is decided in code, not by the model: a short, unambiguous yes or no is
decided here (no model round trip). Anything else is `None` ("unclear") and goes to the
model, which asks one clarifying question or records the answer; but a yes is recorded
only over words that say yes (`may_record_yes`): never over a no, a question, or words
that try to instruct the agent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from call.fast_path import asks_for_manager

_NEUTRALISED = (  # phrases that contain a "no"-word but mean yes
    r"\bno problem\b",
    r"\bno worries\b",
    r"\bno objections?\b",
    r"\bdon'?t mind\b",
    r"\bdo not mind\b",
    r"\bwhy not\b",
)
_YES = re.compile(
    r"\b(yes|yeah|yep|yup|ya|sure|ok|okay|alright|all right|fine|agreed?|consent|"
    r"go ahead|of course|certainly|absolutely|definitely|that'?s fine|sounds good|"
    r"no problem|no worries|don'?t mind|why not|please do)\b"
)
_NO = re.compile(
    r"\b(no|nope|nah|not|don'?t|do not|never|decline|refuse|deny|rather not|"
    r"stop|object|disagree)\b"
)
_META = re.compile(  # words that try to instruct the agent rather than answer it
    r"\b(ignore|instructions?|pretend|system|prompt|record that|say that|act as|"
    r"developer|override)\b"
)
_UNSURE = re.compile(
    r"\b(why|what|who|how|where|when|maybe|perhaps|depends|unsure|not sure|wait|hold on|"
    r"but|actually|unless|if)\b"
)
_MAX_DECIDABLE_WORDS = 12


@dataclass(frozen=True)
class ConsentAnswer:
    """What the caller's words say: a decision (True/False) or None when unclear."""

    decision: bool | None
    says_yes: bool
    says_no: bool
    instructs: bool
    wants_manager: bool

    @property
    def may_record_yes(self) -> bool:
        """The caller's own words agree: a yes-word, no no-word, no instructions."""
        return self.says_yes and not self.says_no and not self.instructs


def read_answer(text: str) -> ConsentAnswer:
    words = text.lower().replace("’", "'").strip()
    wants_manager = asks_for_manager(words)
    softened = words
    for phrase in _NEUTRALISED:
        softened = re.sub(phrase, " ", softened)
    says_yes = _YES.search(words) is not None
    says_no = _NO.search(softened) is not None
    instructs = _META.search(words) is not None
    unsure = "?" in words or instructs or _UNSURE.search(words) is not None
    short = len(words.split()) <= _MAX_DECIDABLE_WORDS
    decision: bool | None = None
    if short and not unsure and says_yes != says_no:
        decision = says_yes
    return ConsentAnswer(
        decision=decision,
        says_yes=says_yes,
        says_no=says_no,
        instructs=instructs,
        wants_manager=wants_manager,
    )
