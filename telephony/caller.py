"""Who is calling: the SIP participant's attributes, normalised, and masked in logs.

LiveKit's SIP service sets these attributes on the caller's participant:
`sip.phoneNumber` (the caller), `sip.trunkPhoneNumber` (the number they dialled) and
`sip.callID`. A web or console caller has none of them: the fields stay empty and the
call works the same (no keypad answers; a call back needs a number they give).

    participant = await ctx.wait_for_participant()
    caller = caller_from_participant(participant, default_region="US")
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

import phonenumbers

from logsafe import mask_phone
from store.records import CallerInfo

logger = logging.getLogger("consent-agent.caller")

ATTR_PHONE_NUMBER = "sip.phoneNumber"
ATTR_TRUNK_NUMBER = "sip.trunkPhoneNumber"
ATTR_CALL_ID = "sip.callID"


class ParticipantLike(Protocol):
    """What we read from an `rtc.RemoteParticipant` (and tests can build without a room)."""

    @property
    def identity(self) -> str: ...

    @property
    def attributes(self) -> Mapping[str, str]: ...


def normalise_number(raw: str | None, *, default_region: str | None = None) -> str | None:
    """`raw` as E.164, or None if it is missing, withheld ("anonymous") or not a number.

    Numbers without a + (e.g. `4155550123`, `tel:`/`sip:` prefixes) are read in
    `default_region`.
    """
    if not raw:
        return None
    text = raw.strip()
    for prefix in ("tel:", "sip:", "sips:"):
        text = text.removeprefix(prefix)
    text = text.split("@", 1)[0]
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask_number(number: str | None) -> str:
    """`+14155550123` -> `+*******0123`: what our log lines show of a number."""
    return mask_phone(number) if number else "-"


def caller_from_attributes(
    identity: str | None, attributes: Mapping[str, str], *, default_region: str | None = None
) -> CallerInfo:
    caller = CallerInfo(
        identity=identity or None,
        phone_number=normalise_number(
            attributes.get(ATTR_PHONE_NUMBER), default_region=default_region
        ),
        trunk_number=normalise_number(
            attributes.get(ATTR_TRUNK_NUMBER), default_region=default_region
        ),
        sip_call_id=attributes.get(ATTR_CALL_ID) or None,
    )
    if caller.is_phone:
        logger.info(
            "phone caller %s on line %s (sip call %s)",
            mask_number(caller.phone_number),
            mask_number(caller.trunk_number),
            caller.sip_call_id,
        )
    else:
        logger.info("caller without SIP attributes (web or console)")
    return caller


def caller_from_participant(
    participant: ParticipantLike, *, default_region: str | None = None
) -> CallerInfo:
    """The caller's context from their participant, read once they have joined.

    Anything that isn't a string attribute is ignored (the terminal console's stand-in
    participant has none), so such a caller gets empty SIP fields, like a web caller.
    """
    raw = participant.attributes
    attributes = (
        {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(raw, Mapping)
        else {}
    )
    identity = participant.identity if isinstance(participant.identity, str) else None
    return caller_from_attributes(identity, attributes, default_region=default_region)
