"""The colleague's briefing never carries a phone number or an email address.

The caller gives their contacts on the call, the manager's model repeats them and even
puts them in the transfer's reason: the colleague's side (every instruction and message
the briefing model is given) has none of them, in any format, and the call's own
transcript is left whole for the record.
"""

from __future__ import annotations

import re
from pathlib import Path

from livekit import api

from offline.scripted_llm import Request, Rule, Script, call, say
from tests.harness import spoken
from tests.telephony.livekit_server import LiveKitServer
from tests.telephony.test_warm_transfer import (
    BRIEFING,
    colleague,
    colleague_says,
    manager_call,
    on_hold,
    turn_ends,
)

CONTACTS = (
    "You can reach me on 415 555 0123, my cell is four one five, five five five, zero one "
    "nine nine, the office is +44 20 7946 0958, and email Jane.Doe@Example.COM or "
    "jane dot doe at example dot org"
)
READ_BACK = "Thanks, I have (415) 555-0123 and JANE.DOE@EXAMPLE.COM."
LEAKY_REASON = (
    "double charge; caller +1-415-555-0123 / 415.555.0199, email jane.doe@example.com, "
    "office 0044 20 7946 0958"
)
FORMS = (
    "415 555 0123",
    "4155550123",
    "555-0123",
    "0199",
    "7946",
    "jane",
    "Jane",
    "JANE",
    "example",
    "@",
)


def seen_by_colleague_model(requests: list[Request]) -> str:
    """Everything the briefing model on the colleague's leg was given, as text."""
    return "\n".join(
        part
        for r in requests
        for item in r.chat_ctx.items
        if item.type == "message"
        for part in item.content
        if isinstance(part, str)
    )


async def test_the_briefing_withholds_every_number_and_email_the_call_mentioned(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    brain = colleague(then=call("connect_to_caller"))
    async with manager_call(tmp_path, livekit_server, livekit_api, brain) as t:
        script = t.call.llm._brain
        assert isinstance(script, Script)
        script.rules.insert(0, Rule(lambda r: r.user_said("reach me"), say(READ_BACK)))
        script.rules.insert(
            0,
            Rule(
                lambda r: r.user_said(r"\bperson\b"),
                call("transfer_to_human", reason=LEAKY_REASON),
            ),
        )
        await t.call.caller_says(CONTACTS)
        turn, human = await on_hold(t, "Now put me through to a person")
        briefing = await colleague_says(human, "hello, Sam speaking")
        await colleague_says(human, "ok, put them through")
        await turn_ends(turn)

        seen = seen_by_colleague_model(t.leg.human_llm.requests)
        assert spoken(briefing) == [BRIEFING]
        for form in FORMS:
            assert form not in seen, form
        assert not re.search(r"\d", seen), seen  # no digit at all reached the colleague
        assert "double charge" in seen  # what the caller needs is still there
        assert "[phone number]" in seen and "[email address]" in seen
        # The call's own transcript (the record) is untouched.
        said = [i.text_content for i in t.call.session.history.items if i.type == "message"]
        assert CONTACTS in said and READ_BACK in said
