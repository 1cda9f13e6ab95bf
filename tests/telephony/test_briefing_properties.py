"""Property: no phone number or email address, in any format, reaches the briefing.

Numbers are drawn from `phonenumbers`' own metadata (every region, every type, random
digits), then written in every format it knows (E.164, international, national, RFC 3966),
with other separators and groupings, or said digit by digit in words. Emails come in any
case, written or spoken. Whatever surrounds them is left as it was.
"""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from livekit.agents import llm

from config.settings import load_settings
from logsafe.contacts import EMAIL, PHONE, digit_runs, redact_contacts
from telephony.transfer import HumanTransferTask

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
TYPES = [
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.VOIP,
]
FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.RFC3966,
]
WORDS = [
    *("please", "call", "me", "on", "my", "number", "is", "thanks"),
    *("the", "office", "cell", "reach", "ok", "and", "or", "later"),
]
DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
PROSE = st.lists(st.sampled_from(WORDS), min_size=0, max_size=5).map(" ".join)


@st.composite
def numbers(draw: st.DrawFn) -> tuple[str, phonenumbers.PhoneNumber]:
    """A valid number of a random region and type, its last digits randomised."""
    region = draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number_for_type(region, draw(st.sampled_from(TYPES)))
    assume(example is not None)
    national = phonenumbers.national_significant_number(example)
    keep = len(national) - draw(st.integers(0, min(4, len(national) - 1)))
    tail = draw(st.text("0123456789", min_size=len(national) - keep, max_size=len(national) - keep))
    number = phonenumbers.parse(f"+{example.country_code}{national[:keep]}{tail}")
    assume(phonenumbers.is_valid_number(number))
    return region, number


@st.composite
def written_numbers(draw: st.DrawFn) -> tuple[str, str, bool]:
    """(the number's region, the number as written or said, whether it is international)."""
    region, number = draw(numbers())
    style = draw(st.sampled_from(["library", "regrouped", "spoken"]))
    international = draw(st.booleans())
    if style == "library":
        fmt = draw(st.sampled_from(FORMATS))
        return region, phonenumbers.format_number(number, fmt), fmt != FORMATS[2]
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = (
        f"+{number.country_code}{phonenumbers.national_significant_number(number)}"
        if international
        else re.sub(r"\D", "", national)
    )
    text = _regroup(draw, digits) if style == "regrouped" else _spoken(draw, digits)
    return region, text, international


def _regroup(draw: st.DrawFn, digits: str) -> str:
    plus, body = ("+", digits[1:]) if digits.startswith("+") else ("", digits)
    separator = draw(st.sampled_from([" ", "-", ".", "", " - ", "\u00a0"]))
    groups, rest = [], body
    while rest:
        size = draw(st.integers(1, 4))
        groups.append(rest[:size])
        rest = rest[size:]
    if len(groups) > 2 and draw(st.booleans()):
        groups[0] = f"({groups[0]})"
    return plus + separator.join(groups)


def _spoken(draw: st.DrawFn, digits: str) -> str:
    words = ["plus"] if digits.startswith("+") else []
    for d in digits.lstrip("+"):
        words.append("oh" if d == "0" and draw(st.booleans()) else DIGIT_WORDS[int(d)])
    separator = draw(st.sampled_from([" ", ", ", "-", " , "]))
    text = separator.join(words)
    return text.upper() if draw(st.booleans()) else text


@st.composite
def emails(draw: st.DrawFn) -> str:
    label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
    local = draw(st.lists(label, min_size=1, max_size=3))
    domain = draw(st.lists(label, min_size=1, max_size=3))
    tld = draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6))
    joiner = draw(st.sampled_from([".", "_", "+", "-"]))
    if draw(st.booleans()):
        text = f"{joiner.join(local)}@{'.'.join([*domain, tld])}"
    else:  # said aloud
        said_joiner = {".": " dot ", "_": " underscore ", "+": " plus ", "-": " dash "}[joiner]
        text = f"{said_joiner.join(local)} at {' dot '.join([*domain, tld])}"
    case = draw(st.sampled_from([str, str.upper, str.title, str.swapcase]))
    return case(text)


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", text.replace(PHONE, " ")) if w != "tel"]


@given(before=PROSE, after=PROSE, number=written_numbers(), anywhere=st.sampled_from(REGIONS))
@settings(max_examples=500, suppress_health_check=[HealthCheck.filter_too_much])
def test_no_phone_number_in_any_format_survives(
    before: str, after: str, number: tuple[str, str, bool], anywhere: str
) -> None:
    region, written, international = number
    # A national format is read in its own region (the line's); an international one anywhere.
    line_region = anywhere if international else region
    redacted = redact_contacts(f"{before} {written} {after}", regions=[line_region])
    assert not re.search(r"\d", redacted), (written, redacted)
    assert digit_runs(redacted) == [], (written, redacted)
    assert PHONE in redacted
    assert words(redacted) == before.split() + after.split(), (written, redacted)


@given(before=PROSE, after=PROSE, email=emails())
@settings(max_examples=300)
def test_no_email_address_in_any_case_or_form_survives(before: str, after: str, email: str) -> None:
    redacted = redact_contacts(f"{before} {email} {after}".strip(), regions=["US"])
    assert redacted == " ".join(w for w in (before, EMAIL, after) if w), (email, redacted)


CONTACT = written_numbers() | emails().map(lambda e: ("US", e, True))


@given(lines=st.lists(st.tuples(PROSE, CONTACT), max_size=6), reason=st.tuples(PROSE, CONTACT))
@settings(max_examples=60, suppress_health_check=[HealthCheck.filter_too_much], deadline=None)
async def test_the_warm_transfer_instructions_never_carry_a_contact(
    lines: list[tuple[str, tuple[str, str, bool]]], reason: tuple[str, tuple[str, str, bool]]
) -> None:
    """The real task's instructions, built from a transcript and a model's reason, on a line
    in the region of the reason's number (other national numbers are from the same region)."""
    region = reason[1][0]
    lines = [(w, c) for w, c in lines if c[2] or c[0] == region]
    telephony = load_settings(
        telephony={
            "transfer_number": "+14155550100",
            "sip_outbound_trunk": "ST_outbound123",
            "transfer_hold_audio": "off",
            "phone_default_region": region,
        }
    ).telephony
    chat_ctx = llm.ChatContext()
    for i, (words_, (_, contact, _)) in enumerate(lines):
        chat_ctx.add_message(role="assistant" if i % 2 else "user", content=f"{words_} {contact}")
    task = HumanTransferTask(
        settings=telephony, chat_ctx=chat_ctx, reason=f"double charge, {reason[0]} {reason[1][1]}"
    )
    told = str(task.instructions)
    assert "double charge" in told
    assert "@" not in told
    assert not re.search(r"\d", told), told


@pytest.mark.parametrize(
    "text",
    [
        "charged twice on 2024-03-15 at 10:30, and again on 15/03/2024",
        "invoice 4521 for $1,250.00, order 12345",
        "the router at 192.168.1.20 keeps dropping",
        "wants a refund of three hundred dollars, one item of two",
    ],
)
def test_what_the_colleague_needs_stays_readable(text: str) -> None:
    assert redact_contacts(text, regions=["US"]) == text
