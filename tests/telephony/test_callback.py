"""A call back is promised only when there is a number to call, and never one from a model.

A phone caller is called back at the number they called from. A web caller (or a phone
caller whose number is withheld) is asked for one: the callback is confirmed only once
they said it, and the record carries that number. Whatever the model passes as a number
is ignored.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from agents.manager import ManagerAgent
from logsafe.contacts import digit_runs
from offline.scripted_llm import Request, Rule, Script, call, say
from store.records import CallerInfo
from telephony.callback import said_by_caller
from tests.harness import OfflineCall, offline_call, spoken
from tests.telephony.calls import PHONE_CALLER, until
from tests.telephony.test_briefing_properties import PROSE, REGIONS, numbers, written_numbers
from tests.telephony.test_warm_transfer import CALLBACK_CONFIRMED, MANAGER_HELLO, OFFER

WEB_CALLER = CallerInfo(identity="web-user-7")
WITHHELD = CallerInfo(identity="sip_anonymous", sip_call_id="SCL_withheld")
UNAVAILABLE = "I'm sorry, I can't transfer calls to a person on this line."
OFFER_TO_TAKE_NUMBER = (
    "If you'd like someone from our team to call you back, I can take a phone number for them."
)
WHICH_NUMBER = "Sure. What number should our team call you on?"
NOT_ARRANGED = (
    "All right. Without a number our team can't call you back, but I'm happy to keep "
    "helping you here."
)
INVENTED = "+19005550000"


def digits_said(r: Request) -> str:
    return re.sub(r"\D", "", r.last_user_text)


def callback_script() -> Script:
    """The manager's model: transfers on "person", takes the callback on "yes", and in the
    number collector records the digits the caller said (or that they declined)."""
    s = Script()
    s.when(lambda r: r.offers("transfer_to_human") and not r.answering_user, say(MANAGER_HELLO))
    s.when(
        lambda r: r.offers("update_phone_number") and not r.answering_user,
        say(WHICH_NUMBER),
    )
    s.when(
        lambda r: r.offers("update_phone_number") and r.user_said(r"\d{3}"),
        lambda r: call("update_phone_number", phone_number=digits_said(r)),
    )
    s.when(
        lambda r: r.offers("update_phone_number") and r.user_said(r"\b(no|rather not)\b"),
        call("decline_phone_number_capture", reason="rather not say"),
    )
    s.when(
        lambda r: r.offers("transfer_to_human") and r.user_said(r"\bperson\b"),
        call("transfer_to_human", reason="caller wants a person about a double charge"),
    )
    s.when(
        lambda r: r.offers("request_callback") and r.user_said(r"\byes\b"),
        call("request_callback", reason="double charge"),
    )
    return s


async def stored_payload(call_: OfflineCall) -> dict[str, Any]:
    await call_.hang_up()
    await call_.settle()
    [row] = await call_.store.outbox_rows()
    stored = await call_.store.outbox_row(row.webhook_id)
    assert stored is not None
    return json.loads(stored.payload)


def callbacks(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in payload["events"] if e["type"] == "callback_requested"]


def manager_call(tmp_path: Path, script: Script, caller: CallerInfo) -> Any:
    return offline_call(
        script,
        agent=lambda s: ManagerAgent(s),
        database_path=tmp_path / "c.db",
        caller=caller,
    )


async def caller_says_while_asked(call_: OfflineCall, words: str, then: str) -> None:
    """The caller says `words`, is asked for their number by the tool they set off, and
    answers `then` (the first turn only ends when the tool does)."""
    asked = len(call_.heard())
    turn = asyncio.create_task(call_.caller_says(words))
    await until(lambda: len(call_.heard()) > asked and call_.heard()[-1] == WHICH_NUMBER)
    await call_.caller_says(then)
    await asyncio.wait_for(turn, 5)


@pytest.mark.parametrize("caller", [WEB_CALLER, WITHHELD], ids=["web", "withheld-number"])
async def test_a_caller_without_a_number_is_offered_to_leave_one_not_a_callback(
    tmp_path: Path, caller: CallerInfo
) -> None:
    async with manager_call(tmp_path, callback_script(), caller) as call_:
        assert spoken(await call_.start()) == [MANAGER_HELLO]
        await call_.caller_says("I want to talk to a person")
        await until(lambda: call_.heard()[-1] == f"{UNAVAILABLE} {OFFER_TO_TAKE_NUMBER}")
        assert OFFER not in " ".join(call_.heard())

        await caller_says_while_asked(call_, "yes please", "It's 415 555 0188")

        assert call_.heard()[-1] == CALLBACK_CONFIRMED
        [event] = callbacks(await stored_payload(call_))
        assert event["number"] == "+14155550188"
        assert event["source"] == "given_by_caller"


async def test_a_caller_who_gives_no_number_is_not_promised_a_callback(tmp_path: Path) -> None:
    async with manager_call(tmp_path, callback_script(), WEB_CALLER) as call_:
        await call_.start()
        await call_.caller_says("I want to talk to a person")
        await until(lambda: call_.heard()[-1].endswith(OFFER_TO_TAKE_NUMBER))

        await caller_says_while_asked(call_, "yes", "no, I'd rather not give my number")

        assert call_.heard()[-1] == NOT_ARRANGED
        assert CALLBACK_CONFIRMED not in call_.heard()
        assert call_.state.outcome.callback is None
        assert callbacks(await stored_payload(call_)) == []


async def test_a_number_the_model_passes_to_the_callback_is_ignored(tmp_path: Path) -> None:
    script = callback_script()
    script.rules.insert(
        0,
        Rule(
            lambda r: r.offers("request_callback") and r.user_said(r"call me back"),
            call("request_callback", reason="wants a call back", number=INVENTED),
        ),
    )
    async with manager_call(tmp_path, script, WEB_CALLER) as call_:
        await call_.start()
        await caller_says_while_asked(
            call_, "Can someone call me back?", "no, I'd rather not give my number"
        )

        assert CALLBACK_CONFIRMED not in call_.heard()
        assert callbacks(await stored_payload(call_)) == []


async def test_a_phone_caller_is_called_back_at_their_own_number_whatever_the_model_says(
    tmp_path: Path,
) -> None:
    script = callback_script()
    script.rules.insert(
        0,
        Rule(
            lambda r: r.offers("request_callback") and r.user_said(r"call me back"),
            call("request_callback", reason="wants a call back", number=INVENTED),
        ),
    )
    async with manager_call(tmp_path, script, PHONE_CALLER) as call_:
        await call_.start()
        result = await call_.caller_says("Can someone call me back?")

        assert spoken(result) == [CALLBACK_CONFIRMED]
        [event] = callbacks(await stored_payload(call_))
        assert event["number"] == PHONE_CALLER.phone_number
        assert event["source"] == "caller_id"


async def test_a_number_the_model_makes_up_in_the_collector_is_refused(tmp_path: Path) -> None:
    script = callback_script()
    script.rules.insert(
        0,
        Rule(
            lambda r: r.offers("update_phone_number") and r.user_said(r"\bsure\b"),
            call("update_phone_number", phone_number=INVENTED),
            times=1,
        ),
    )
    async with manager_call(tmp_path, script, WEB_CALLER) as call_:
        await call_.start()
        await call_.caller_says("I want to talk to a person")
        await until(lambda: call_.heard()[-1].endswith(OFFER_TO_TAKE_NUMBER))
        asked = len(call_.heard())
        turn = asyncio.create_task(call_.caller_says("yes"))
        await until(lambda: len(call_.heard()) > asked)
        await call_.caller_says("sure, go ahead")  # no number in it: the model invents one
        await call_.caller_says("415 555 0188")
        await asyncio.wait_for(turn, 5)

        assert call_.heard()[-1] == CALLBACK_CONFIRMED
        payload = await stored_payload(call_)
        [event] = callbacks(payload)
        assert event["number"] == "+14155550188"
        assert INVENTED not in json.dumps(payload["events"])


@given(said=written_numbers(), prose=PROSE, anywhere=st.sampled_from(REGIONS))
@settings(max_examples=300, suppress_health_check=[HealthCheck.filter_too_much])
def test_a_number_the_caller_said_in_any_format_is_accepted(
    said: tuple[str, str, bool], prose: str, anywhere: str
) -> None:
    region, written, international = said
    line_region = anywhere if international else region
    number = _e164(written, region)
    assert said_by_caller(number, [f"{prose} {written}"], region=line_region), written


@given(said=written_numbers(), other=numbers(), prose=PROSE)
@settings(max_examples=300, suppress_health_check=[HealthCheck.filter_too_much])
def test_a_number_the_caller_never_said_is_refused(
    said: tuple[str, str, bool], other: tuple[str, Any], prose: str
) -> None:
    region, written, _ = said
    invented = phonenumbers.format_number(other[1], phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(other[1])
    assume(national not in "".join(digit_runs(written)))
    assume(invented != _e164(written, region))
    assert not said_by_caller(invented, [f"{prose} {written}", prose], region=region)


def _e164(written: str, region: str) -> str:
    """The number a listener reads from `written` (digits in words too)."""
    digits = "".join(digit_runs(written))
    plus = "+" if written.lstrip().lower().startswith(("+", "plus", "tel:+")) else ""
    parsed = phonenumbers.parse(plus + digits, None if plus else region)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
