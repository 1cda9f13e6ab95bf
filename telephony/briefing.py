"""What the colleague is told before a warm transfer: who needs them and why, no contacts.

`WarmTransferTask` briefs the person on the human line from its instructions: LiveKit's
template filled with the conversation so far (every caller and agent line) and our
`BRIEFING` with the reason the model gave. Both come from the caller or a model, so both
pass through `logsafe.contacts.redact_contacts` first: every phone number (written in any
format, or said digit by digit) becomes `[phone number]` and every email address (in any
case, written or spoken) `[email address]`. The person hears what the caller needs, never
how to reach them; the call's record, not the briefing, is where contact details live.
"""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers
from livekit.agents import llm

from logsafe.contacts import redact_contacts

BRIEFING = """\
# This call
You are briefing a colleague who answers the company's escalation line. Keep it to a few
sentences: who is calling (never read out their phone number or email address), what they
need, what was already tried or granted. If the colleague can't take the call, call
`decline_transfer`; if you hear a voicemail greeting, call `voicemail_detected`.
"""


def briefing_regions(*numbers: str | None, default_region: str) -> list[str]:
    """Where numbers written without a + are read: the line's region and the regions of
    the numbers involved (the caller's, the human line's)."""
    regions = [default_region]
    for number in numbers:
        if number and number.startswith("+"):
            try:
                region = phonenumbers.region_code_for_number(phonenumbers.parse(number))
            except phonenumbers.NumberParseException:
                continue
            if region and region not in regions:
                regions.append(region)
    return regions


def briefing_extra(reason: str, *, regions: Iterable[str]) -> str:
    """Our part of the briefing's instructions: how to brief, and why (contacts withheld)."""
    reason = redact_contacts(reason.strip(), regions=regions)
    return BRIEFING + (f"\nWhy the caller needs a person: {reason}\n" if reason else "")


def briefing_history(chat_ctx: llm.ChatContext, *, regions: Iterable[str]) -> llm.ChatContext:
    """The conversation the briefing is built from: the caller's and the agents' lines,
    contacts withheld. A new context: the call's own history is left as it is."""
    regions = list(regions)
    items: list[llm.ChatItem] = []
    for item in chat_ctx.items:
        if item.type != "message" or item.role not in ("user", "assistant"):
            continue
        # Text only (the briefing reads text): images or audio never reach the colleague.
        content: list[llm.ChatContent] = [
            redact_contacts(part, regions=regions) for part in item.content if isinstance(part, str)
        ]
        items.append(item.model_copy(update={"content": content}))
    return llm.ChatContext(items)
