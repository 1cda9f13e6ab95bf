"""Safety of the consent grammar by construction, over the whole class of answers.

- Any answer holding a refusal or negation, whatever agreement words, fillers, case and
  punctuation surround it, is never read as a yes (in every shipped language).
- Any answer holding a word outside the affirmative grammar is never read as a yes.
- Any short run of the grammar's own affirmatives, with fillers and punctuation, is a yes.
"""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from consent.normalise import words
from consent.reading import MAX_YES_WORDS
from tests.consent.grammars import LANGUAGES, grammar

# Refusals and negated agreement a caller (or a speech-to-text error) can produce, beyond the
# grammar's own lists: none of them may ever turn into a yes.
NEGATED = {
    "en": [
        "consent denied",
        "I won't agree",
        "I withdraw my consent",
        "I didn't say yes",
        "I do mind",
        "not",
        "never",
        "I don't",
        "I can't agree",
        "no",
        "nope",
        "I refuse",
        "I'd rather you didn't",
        "don't",
        "I'm not okay with that",
        "nobody agreed",
        "without my consent",
        "I object",
        "decline",
        "it's not fine",
        "stop",
        "no way",
    ],
    "es": ["no", "nunca", "no acepto", "sin mi consentimiento", "jamás", "no quiero", "ni hablar"],
    "de": ["nein", "nicht", "niemals", "kein", "ich lehne ab", "ohne Einwilligung", "nö"],
    "fr": ["non", "pas", "jamais", "je refuse", "ne pas", "sans mon accord", "aucun"],
}
PUNCTUATION = ["", ",", ".", "!", "...", " -", ";", ":"]


def _affirmatives(code: str) -> list[str]:
    g = grammar(code)
    return sorted(" ".join(p) for p in g.affirmative)


def _fillers(code: str) -> list[str]:
    return sorted(" ".join(p) for p in grammar(code).fillers)


def _case(draw: st.DrawFn, text: str) -> str:
    style = draw(st.sampled_from(["lower", "upper", "title", "as is"]))
    return {"lower": text.lower(), "upper": text.upper(), "title": text.title()}.get(style, text)


@st.composite
def refusals_among_agreement(draw: st.DrawFn) -> tuple[str, str]:
    code = draw(st.sampled_from(LANGUAGES))
    g = grammar(code)
    negated = NEGATED[code] + sorted(" ".join(p) for p in g.refusal | g.negations)
    agreeing = _affirmatives(code) + sorted(g.agreement_words) + _fillers(code)
    before = draw(st.lists(st.sampled_from(agreeing), max_size=4))
    after = draw(st.lists(st.sampled_from(agreeing), max_size=4))
    middle = draw(st.lists(st.sampled_from(negated), min_size=1, max_size=2))
    parts = [*before, *middle, *after]
    text = " ".join(p + draw(st.sampled_from(PUNCTUATION)) for p in parts)
    return code, _case(draw, text)


@given(refusals_among_agreement())
@settings(max_examples=1500, deadline=None)
def test_a_refusal_or_negation_with_agreement_words_is_never_a_yes(case: tuple[str, str]) -> None:
    code, text = case
    assert grammar(code).read(text).kind != "yes", text
    assert grammar(code).read(text, keypad=True).kind != "yes", text


@st.composite
def agreement_with_a_stray_word(draw: st.DrawFn) -> tuple[str, str]:
    code = draw(st.sampled_from(LANGUAGES))
    g = grammar(code)
    vocabulary = {w for p in g.affirmative | g.fillers | g.keypad_agree for w in p}
    stray = draw(
        st.text(alphabet=st.characters(categories=["Ll", "Lu"]), min_size=1, max_size=10).filter(
            lambda w: words(w) and not set(words(w)) & vocabulary
        )
    )
    agreeing = draw(st.lists(st.sampled_from(_affirmatives(code)), min_size=1, max_size=3))
    position = draw(st.integers(0, len(agreeing)))
    parts = [*agreeing[:position], stray, *agreeing[position:]]
    return code, " ".join(p + draw(st.sampled_from(PUNCTUATION)) for p in parts)


@given(agreement_with_a_stray_word())
@settings(max_examples=1000, deadline=None)
def test_any_word_outside_the_affirmative_grammar_means_not_a_yes(case: tuple[str, str]) -> None:
    code, text = case
    assert grammar(code).read(text, keypad=True).kind != "yes", text


@st.composite
def plain_agreement(draw: st.DrawFn) -> tuple[str, str]:
    """One or two different affirmatives (not two words for the same yes), fillers before
    them, politeness after."""
    code = draw(st.sampled_from(LANGUAGES))
    g = grammar(code)
    alone = {" ".join(p) for p in g.alone_only}
    choices = [a for a in _affirmatives(code) if a not in alone]
    decisive = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=2, unique=True))
    assume(sum(len(words(p)) for p in decisive) <= MAX_YES_WORDS)  # longer ones are confirmed
    groups = [g.variant_of.get(tuple(words(p))) for p in decisive]
    assume(len(decisive) == 1 or groups[0] is None or groups[0] != groups[1])
    assume(
        not g._spans_units([("affirmative", tuple(words(p))) for p in decisive], g.sounds_like_yes)
    )
    politeness = sorted(" ".join(p) for p in g.politeness)
    parts: list[str] = []
    for phrase in decisive:
        parts += draw(st.lists(st.sampled_from(_fillers(code)), max_size=1))
        parts.append(phrase)
    ambiguous = {" ".join(p) for p in g.ambiguous_with_thanks}
    if politeness and decisive[-1] not in ambiguous:  # "that's fine, thanks" is confirmed
        parts += draw(st.lists(st.sampled_from(politeness), max_size=1))
    text = " ".join(p + draw(st.sampled_from(PUNCTUATION)) for p in parts)
    assume(not g._has_any(words(text), g.sounds_like_yes))  # "oh sure": confirmed on purpose
    return code, _case(draw, text)


@given(plain_agreement())
@settings(max_examples=1000, deadline=None)
def test_grammar_affirmatives_with_fillers_and_punctuation_are_a_yes(
    case: tuple[str, str],
) -> None:
    code, text = case
    reading = grammar(code).read(text)
    assert reading.kind == "yes", text
    assert reading.rule is not None and reading.rule.startswith("affirmative:")
