"""Reading a caller's answer to the consent question: closed-world, decided in code.

A YES is read only when the caller's *whole* answer is accounted for by the language's
affirmative phrases (plus fillers such as "uh", "well", "please", "thank you"), or by a
spoken keypad digit where the question offered the keypad. A NO is read only when the
whole answer is made of refusal phrases. Nothing is decided by finding a word inside an
answer: "consent denied", "I won't agree", "okay, I do mind" are not a yes because
"denied", "won't" and "mind" are not in the affirmative grammar.

Everything else is routed, not decided:

- ``question``: the caller asks something ("why?", "who hears it?"); the model answers
  from the settings and asks again. Not counted as an unclear answer.
- ``confirm``: it sounds like agreement but is not a short, common yes ("I want to agree to
  being recorded", which is also what speech-to-text made of "I won't agree to being
  recorded"); the caller is asked one fixed confirmation question.
- ``unclear``: anything else ("I don't know", "consent denied"); the model asks for a plain
  yes or no, and may record a no.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from consent.language import ConsentLanguage
from consent.normalise import asks, phrase_id, words

Kind = Literal["yes", "no", "question", "confirm", "condition", "unclear"]
Phrase = tuple[str, ...]

# A plain yes is short: longer strings of agreement get a confirmation question instead.
# (Fillers don't count: "uh, yes, thank you very much" is as plain as "yes".)
MAX_YES_WORDS = 10
MAX_YES_PHRASES = 4
# How far (in words) a stop cue may be from a recording word to withdraw consent.
WITHDRAWAL_REACH = 6


@dataclass(frozen=True)
class Reading:
    """What an answer is, and for a yes or a no, the rule that matched it
    (e.g. ``affirmative:yes+thats_fine``, ``refusal:no``, ``spoken_keypad:one``)."""

    kind: Kind
    rule: str | None = None


@dataclass(frozen=True)
class Grammar:
    """A language's phrases as word tuples, ready to match."""

    affirmative: frozenset[Phrase]
    refusal: frozenset[Phrase]
    withdrawal: frozenset[Phrase]
    take_back: frozenset[Phrase]
    recording_stems: tuple[str, ...]
    withdrawal_cues: frozenset[Phrase]
    sounds_like_yes: frozenset[Phrase]
    alone_only: frozenset[Phrase]
    politeness: frozenset[Phrase]
    variant_of: dict[Phrase, int]
    ambiguous_with_thanks: frozenset[Phrase]
    fillers: frozenset[Phrase]
    negations: frozenset[Phrase]
    conditions: frozenset[Phrase]
    hedges: frozenset[Phrase]
    agreement_words: frozenset[str]
    question_words: frozenset[str]
    question_starters: frozenset[str]
    requests: frozenset[Phrase]
    keypad_agree: frozenset[Phrase]
    keypad_decline: frozenset[Phrase]

    @classmethod
    def of(cls, language: ConsentLanguage) -> Grammar:
        g = language.grammar

        def phrases(items: list[str]) -> frozenset[Phrase]:
            return frozenset(w for w in map(words, items) if w)

        def tokens(items: list[str]) -> frozenset[str]:
            return frozenset(t for item in items for t in words(item))

        return cls(
            affirmative=phrases(g.affirmative),
            refusal=phrases(g.refusal),
            withdrawal=phrases(g.withdrawal),
            take_back=phrases(g.take_back),
            recording_stems=tuple(sorted(tokens(g.recording_words))),
            withdrawal_cues=phrases(g.withdrawal_cues),
            sounds_like_yes=phrases(g.sounds_like_yes),
            alone_only=phrases(g.alone_only),
            politeness=phrases(g.politeness),
            variant_of={w: i for i, group in enumerate(g.variants) for w in phrases(group)},
            ambiguous_with_thanks=phrases(g.ambiguous_with_thanks),
            fillers=phrases(g.fillers) | phrases(g.politeness),
            negations=phrases(g.negations),
            conditions=phrases(g.conditions),
            hedges=phrases(g.hedges),
            agreement_words=tokens(g.agreement_words),
            question_words=tokens(g.question_words),
            question_starters=tokens(g.question_starters),
            requests=phrases(g.requests),
            keypad_agree=phrases(g.keypad.agree),
            keypad_decline=phrases(g.keypad.decline),
        )

    # -- the answer to the question ------------------------------------------------------

    def read(self, text: str, *, keypad: bool = False) -> Reading:
        """Read an answer to "may we record this call?". `keypad`: the question offered
        keys 1/2, so the spoken digits count as those keys."""
        found = words(text)
        if not found:
            return Reading("unclear")
        question_mark = asks(text)
        if not question_mark:
            yes = self._cover(found, self._yes_units(keypad))
            if yes is not None:
                return Reading("yes", _rule(yes)) if self._plain(yes) else Reading("confirm")
            no = self._cover(found, self._no_units(keypad))
            if no is not None:
                return Reading("no", _rule(no))
            if self._cover(found, self._confirm_units()) is not None:
                return Reading("confirm")
        if question_mark or self._is_question(found):
            return Reading("question")
        refusing = self.refusal | (self.keypad_decline if keypad else frozenset())
        if self._has_any(found, self.conditions):
            return Reading("condition")  # "sure, if you delete it": we can't take conditions
        if self._has_any(found, self.negations | self.hedges | refusing):
            return Reading("unclear")
        if self._sounds_like_agreement(found, keypad):
            return Reading("confirm")
        return Reading("unclear")

    def is_refusal(self, text: str, *, keypad: bool = False) -> bool:
        return self.read(text, keypad=keypad).kind == "no"

    # -- withdrawal, after a yes ---------------------------------------------------------

    def withdrawal_in(self, text: str) -> str | None:
        """The withdrawal phrase the caller's turn holds, anywhere in it ("please stop
        recording, and about my bill..."), as a rule name; None if there is none.
        Deliberately broad: a false alarm stops a recording, a miss would keep recording
        someone who said stop."""
        found = words(text)
        for n in sorted({len(p) for p in self.withdrawal}, reverse=True):
            for i in range(len(found) - n + 1):
                if found[i : i + n] in self.withdrawal:
                    return f"withdrawal:{phrase_id(found[i : i + n])}"
        # "I don't want this call recorded", "delete the recording", "I revoke consent": a
        # recording word after a negation, or near a stop cue; but not in a turn that says
        # the recording is fine ("I don't mind being recorded", "no problem").
        reassured = self._has_any(found, self._reassurances())
        for i, word in enumerate(found):
            if not self.recording_stems or not word.startswith(self.recording_stems):
                continue
            before = found[max(0, i - WITHDRAWAL_REACH) : i]
            near = found[max(0, i - WITHDRAWAL_REACH) : i + WITHDRAWAL_REACH + 1]
            checks = [(self.withdrawal_cues, near)]
            if not reassured:  # "I don't mind being recorded" holds a negation, not a stop
                checks.insert(0, (self.negations, before))
            for cues, where in checks:
                for n in {len(p) for p in cues}:
                    for j in range(len(where) - n + 1):
                        if where[j : j + n] in cues:
                            return f"withdrawal:{phrase_id(where[j : j + n])}~{word}"
        return None

    def _reassurances(self) -> frozenset[Phrase]:
        """Yes-sounding phrases that hold a negation: "no problem", "I don't mind"."""
        return frozenset(p for p in self.sounds_like_yes if self._has_any(p, self.negations))

    def takes_back(self, text: str) -> bool:
        """The caller's first words after their yes undo it: a refusal ("no", "I don't
        agree"), a turn that opens with one ("no, wait", "not"), or a take-back phrase
        ("actually no", "I meant no"). A problem described with a negation ("my internet
        isn't working") is not one."""
        found = tuple(w for w in words(text) if (w,) not in self.fillers)
        if not found:
            return False
        if self.read(text).kind == "no" or self._has_any(found, self.take_back):
            return True
        if all((w,) in self.negations for w in found):  # "not", cut off from "absolutely"
            return True
        opening = found[: max((len(p) for p in self.refusal), default=1)]
        return any(opening[: len(p)] == p for p in self.refusal) and not self._has_any(
            found, self._reassurances()
        )

    def only_withdraws(self, text: str) -> bool:
        """The whole turn is a withdrawal (nothing else to answer)."""
        units = {p: "withdrawal" for p in self.withdrawal} | {p: "filler" for p in self.fillers}
        return self._cover(words(text), units) is not None

    # -- matching --------------------------------------------------------------------------

    def _yes_units(self, keypad: bool) -> dict[Phrase, str]:
        units = {p: "filler" for p in self.fillers}
        units |= {p: "affirmative" for p in self.affirmative}
        if keypad:
            units |= {p: "spoken_keypad" for p in self.keypad_agree}
        return units

    def _no_units(self, keypad: bool) -> dict[Phrase, str]:
        units = {p: "filler" for p in self.fillers}
        units |= {p: "refusal" for p in self.refusal | self.withdrawal}
        if keypad:
            units |= {p: "spoken_keypad" for p in self.keypad_decline}
        return units

    def _confirm_units(self) -> dict[Phrase, str]:
        units = {p: "filler" for p in self.fillers}
        units |= {p: "affirmative" for p in self.affirmative}
        return units | {p: "sounds_like_yes" for p in self.sounds_like_yes}

    @staticmethod
    def _cover(found: Phrase, units: dict[Phrase, str]) -> list[tuple[str, Phrase]] | None:
        """The fewest phrases of `units` that make up `found` exactly, with at least one that
        is not a filler; None when some word is left over."""
        longest = max((len(p) for p in units), default=0)
        best: list[list[tuple[str, Phrase]] | None] = [None] * (len(found) + 1)
        best[0] = []
        for i in range(len(found)):
            so_far = best[i]
            if so_far is None:
                continue
            for n in range(1, min(longest, len(found) - i) + 1):
                piece = found[i : i + n]
                kind = units.get(piece)
                if kind is None:
                    continue
                known = best[i + n]
                if known is None or len(so_far) + 1 < len(known):
                    best[i + n] = [*so_far, (kind, piece)]
        cover = best[len(found)]
        if cover is None or all(kind == "filler" for kind, _ in cover):
            return None
        return cover

    def _plain(self, cover: list[tuple[str, Phrase]]) -> bool:
        """A yes as plain as it gets; anything else is confirmed once:
        - short: few phrases and words, fillers aside;
        - no phrase said twice, nor two words for the same yes in a row ("sure, sure",
          "yes, yeah": often the opposite), nor a phrase that only sounds like a yes;
        - no filler at the end but politeness ("okay, well..." may be cut short), and no
          thanks after a yes that can be a polite no ("that's fine, thanks");
        - an ambiguous word ("si": yes or if) or a spoken key only on its own."""
        decisive = [(kind, p) for kind, p in cover if kind != "filler"]
        phrases = [p for _, p in decisive]
        alone = any(p in self.alone_only or kind == "spoken_keypad" for kind, p in decisive)
        # an ambiguous word stands alone: no other phrase, no filler before it ("Bueno, si...")
        alone_but_led = alone and cover[0][0] == "filler"
        last_kind, last = cover[-1]
        thanked = last_kind == "filler" and phrases[-1] in self.ambiguous_with_thanks
        return (
            sum(map(len, phrases)) <= MAX_YES_WORDS
            and len(phrases) <= MAX_YES_PHRASES
            and len(set(phrases)) == len(phrases)  # nothing said twice
            and not any(self._variants(a, b) for a, b in itertools.pairwise(phrases))
            and (last_kind != "filler" or last in self.politeness)
            and not thanked
            and not (alone and len(phrases) > 1)
            and not alone_but_led
            and not self._spans_units(cover, self.sounds_like_yes)  # "yeah sure", "oh sure"
        )

    @staticmethod
    def _spans_units(cover: list[tuple[str, Phrase]], phrases: frozenset[Phrase]) -> bool:
        """One of `phrases` is said across phrases of the cover ("yeah" + "sure"), not
        inside one of them ("all right" holds "right" and is a yes of its own)."""
        found = tuple(w for _, p in cover for w in p)
        starts, at = set(), 0
        for _, p in cover:
            starts.add(at)
            at += len(p)
        bounds = sorted(starts | {at})
        for n in {len(p) for p in phrases}:
            for i in range(len(found) - n + 1):
                if found[i : i + n] in phrases:
                    inside = any(b <= i and i + n <= e for b, e in itertools.pairwise(bounds))
                    if not inside:
                        return True
        return False

    def _variants(self, a: Phrase, b: Phrase) -> bool:
        group = self.variant_of.get(a)
        return group is not None and group == self.variant_of.get(b)

    def _is_question(self, found: Phrase) -> bool:
        content = [w for w in found if (w,) not in self.fillers]
        return (
            any(w in self.question_words for w in found)
            or bool(content and content[0] in self.question_starters)
            or self._has_any(found, self.requests)
        )

    def _sounds_like_agreement(self, found: Phrase, keypad: bool) -> bool:
        agreeing = self.affirmative | (self.keypad_agree if keypad else frozenset())
        return any(w in self.agreement_words for w in found) or self._has_any(found, agreeing)

    @staticmethod
    def _has_any(found: Phrase, phrases: frozenset[Phrase]) -> bool:
        for n in {len(p) for p in phrases}:
            for i in range(len(found) - n + 1):
                if found[i : i + n] in phrases:
                    return True
        return False


def _rule(cover: list[tuple[str, Phrase]]) -> str:
    """The rule that matched: the kind, then the decisive phrases ("affirmative:yes+sure")."""
    decisive = [(kind, phrase) for kind, phrase in cover if kind != "filler"]
    kinds = sorted({kind for kind, _ in decisive})
    return f"{'/'.join(kinds)}:" + "+".join(phrase_id(p) for _, p in decisive)
