"""The shipped grammars, loaded once for the tests."""

from __future__ import annotations

import functools

from consent.language import load_language
from consent.reading import Grammar

LANGUAGES = ("en", "es", "de", "fr")


@functools.cache
def grammar(code: str) -> Grammar:
    return Grammar.of(load_language(code))
