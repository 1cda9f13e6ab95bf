"""Shared pieces of the telephony tests: settings, controls over the loopback server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from livekit import api
from livekit.agents import AgentSession

from config.settings import Settings, load_settings
from store.records import CallerInfo
from telephony.controls import LiveKitCallControls
from tests.harness import OfflineCall

ROOM = "call-_+14155550123_AbCd"
CALLER_IDENTITY = "sip_+14155550123"
HUMAN_LINE = "+14155550100"
TRUNK = "ST_outbound123"
PHONE_CALLER = CallerInfo(
    identity=CALLER_IDENTITY,
    phone_number="+14155550123",
    trunk_number="+18005550199",
    sip_call_id="SCL_abc123",
)


def telephony_settings(**telephony: Any) -> Settings:
    values: dict[str, Any] = {
        "transfer_number": HUMAN_LINE,
        "sip_outbound_trunk": TRUNK,
        "transfer_hold_audio": "off",
    }
    values.update(telephony)
    return load_settings(telephony=values)


def livekit_controls(
    client: api.LiveKitAPI, settings: Settings, **options: Any
) -> Callable[[AgentSession[Any]], LiveKitCallControls]:
    """A `controls=` factory for `offline_call`: the real controls on the loopback server."""
    made: list[LiveKitCallControls] = []

    def factory(session: AgentSession[Any]) -> LiveKitCallControls:
        controls = LiveKitCallControls(
            session,
            api=client,
            room_name=ROOM,
            caller_identity=CALLER_IDENTITY,
            settings=settings.telephony,
            **options,
        )
        made.append(controls)
        return controls

    factory.made = made  # type: ignore[attr-defined]
    return factory


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until `condition()` holds (for what happens outside a run: keys, hold, close)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if condition():
            return
        if loop.time() > deadline:
            raise AssertionError(f"not true within {within}s: {condition}")
        await asyncio.sleep(0.01)


def heard(call_: OfflineCall) -> list[str]:
    """Everything the caller heard so far, in order (runs and unprompted speech alike)."""
    return [
        item.text_content or ""
        for item in call_.session.history.items
        if item.type == "message" and item.role == "assistant"
    ]
