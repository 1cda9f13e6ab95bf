"""Contact details in free text, written or spoken: found, read, and withheld.

Stricter than the log masks (`logsafe.filter`), for text that leaves the call for another
person (the colleague briefed in a warm transfer): nothing of a number or an address is
kept, and what was said aloud counts as much as what was written.

- Phone numbers: every run of digits (and digit words: "four one five", "double five",
  "oh", "plus") with the separators numbers are written with, 7 digits or more (except a
  whole date or an IPv4 address), and whatever `phonenumbers` finds for the call's
  regions (shorter national numbers too). Become `[phone number]`.
- Email addresses, in any case, written (`Jane.Doe@Example.COM`) or spoken ("jane dot doe
  at example dot com"). Become `[email address]`.

    redact_contacts("call me on four one five 555 0123", regions=["US"])
    -> "call me on [phone number]"

`digit_runs(text)` reads the numbers said in a text ("four one five" -> "415"), for code
that must check a number against what a caller actually said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

PHONE = "[phone number]"
EMAIL = "[email address]"
MIN_DIGITS = 7  # the shortest phone numbers written in full (a local number, + a country code)

_UNITS = {
    "zero": "0",
    "oh": "0",
    "nought": "0",
    "nil": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_TEENS = {
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
}
_TENS = {
    "twenty": "2",
    "thirty": "3",
    "forty": "4",
    "fifty": "5",
    "sixty": "6",
    "seventy": "7",
    "eighty": "8",
    "ninety": "9",
}
_REPEAT = {"double": 2, "triple": 3}
_SCALE = {"hundred": "00", "thousand": "000"}
_NUMBER_WORDS = {*_UNITS, *_TEENS, *_TENS, *_REPEAT, *_SCALE, "plus"}

# A token is a group of digits or a word; two tokens belong to one run when only the
# separators numbers are written with stand between them.
_TOKEN = re.compile(r"\d+|[^\W\d_]+")
_SEPARATORS = re.compile(r"[\s,.\-\u2010-\u2015/()+*#]*")

_YEAR_FIRST = re.compile(r"(\d{4})([-./])(\d{1,2})\2(\d{1,2})")
_YEAR_LAST = re.compile(r"(\d{1,2})([-./])(\d{1,2})\2(\d{4})")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")

_EMAIL_WRITTEN = re.compile(
    r"[\w.!#$%&'*+/=?^`{|}~-]+\s?@\s?[\w-]+(?:\.[\w-]+)*", re.IGNORECASE | re.UNICODE
)
_EMAIL_SPOKEN = re.compile(
    r"\b[\w.+-]+(?:\s+(?:dot|underscore|dash|hyphen|plus)\s+[\w.+-]+)*"
    r"\s+(?:at|@)\s+"
    r"[\w-]+(?:\s*(?:\.|\bdot\b)\s*[\w-]+)*(?:\s*(?:\.|\bdot\b)\s*[^\W\d_]{2,})\b",
    re.IGNORECASE | re.UNICODE,
)


def redact_contacts(text: str, *, regions: Iterable[str | None] = ()) -> str:
    """`text` with every email address and phone number replaced by `[email address]` /
    `[phone number]`. `regions` (ISO codes) are where numbers without a + are read."""
    if not text:
        return text
    text = _EMAIL_WRITTEN.sub(EMAIL, text)
    text = _EMAIL_SPOKEN.sub(EMAIL, text)
    regions = list(dict.fromkeys(regions))
    spans = [(r.start, r.end) for r in _runs(text) if _is_phone_run(r, regions)]
    for region in regions:
        # phonenumbers finds what only the region's rules tell apart (short local numbers)
        spans += [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, region)]
    for start, end in reversed(_merge(spans)):
        text = text[:start] + PHONE + text[end:]
    return text


def digit_runs(text: str) -> list[str]:
    """The numbers said or written in `text`, in order, as digit strings: "area code four
    one five" -> ["415"]. A lone number word ("one moment") is not a number."""
    return [r.digits for r in _runs(text) if r.digits and (len(r.words) > 1 or r.written)]


class _Run:
    def __init__(self) -> None:
        self.start = 0
        self.end = 0
        self.raw = ""
        self.words: list[str] = []
        self.written = False  # has a group of digits (not only words)

    @property
    def digits(self) -> str:
        return _read(self.words)


def _runs(text: str) -> list[_Run]:
    runs: list[_Run] = []
    current: _Run | None = None
    last_end = 0
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        is_number = word.isdigit() or word.lower() in _NUMBER_WORDS
        joined = current is not None and _SEPARATORS.fullmatch(text, last_end, match.start())
        if not is_number:
            current = None
            continue
        if current is None or not joined:
            current = _Run()
            current.start = match.start()
            # a + written just before the first digits belongs to the number
            if current.start > 0 and text[current.start - 1] == "+":
                current.start -= 1
            runs.append(current)
        current.words.append(word)
        current.written = current.written or word.isdigit()
        current.end = match.end()
        last_end = match.end()
    for run in runs:
        run.raw = text[run.start : run.end]
    return runs


def _read(words: list[str], *, scales: bool = True) -> str:
    """Digits from tokens: "four" 4, "double five" 55, "twenty one" 21, "eight hundred" 800."""
    out: list[str] = []
    repeat = 1
    open_tens = False
    for raw in words:
        word = raw.lower()
        if open_tens and word not in _UNITS:
            out.append("0")
        was_tens, open_tens = open_tens, False
        if word.isdigit():
            out.append(word * repeat if len(word) == 1 else word)
        elif word in _UNITS:
            out.append("0" if was_tens and _UNITS[word] == "0" else _UNITS[word] * repeat)
        elif word in _TEENS:
            out.append(_TEENS[word])
        elif word in _TENS:
            out.append(_TENS[word])
            open_tens = True
        elif word in _SCALE and out and scales:
            out.append(_SCALE[word])
        repeat = _REPEAT.get(word, 1)
    if open_tens:
        out.append("0")
    return "".join(out)


def _is_phone_run(run: _Run, regions: list[str | None]) -> bool:
    digits = run.digits
    if not digits:
        return False
    international = run.raw.startswith("+") or run.words[0].lower() == "plus"
    for region in regions if not international else [None]:
        # A valid number where it is read, however short (said or written).
        try:
            parsed = phonenumbers.parse(("+" if international else "") + digits, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return True
    if len(digits) < MIN_DIGITS:
        return False
    # "three thousand four hundred" is an amount: most digits of a number are said one by one
    if len(_read(run.words, scales=False)) < 5:
        return False
    return not _excluded(run.raw)


def _excluded(raw: str) -> bool:
    """A whole date (2024-03-15, 15/03/2024, 03.15.2024) or IPv4 address is not a number."""
    text = raw.strip()
    return _is_date(text) or bool(_IPV4.fullmatch(text))


def _is_date(text: str) -> bool:
    if match := _YEAR_FIRST.fullmatch(text):
        year, month, day = int(match[1]), int(match[3]), int(match[4])
    elif match := _YEAR_LAST.fullmatch(text):
        year, first, second = int(match[4]), int(match[1]), int(match[3])
        month, day = (second, first) if first > 12 else (first, second)
    else:
        return False
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
