"""Fixtures: a loopback LiveKit server and the real LiveKitAPI client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from livekit import api

from tests.telephony.livekit_server import API_KEY, API_SECRET, LiveKitServer


@pytest.fixture
async def livekit_server() -> AsyncIterator[LiveKitServer]:
    server = LiveKitServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def livekit_api(livekit_server: LiveKitServer) -> AsyncIterator[api.LiveKitAPI]:
    client = api.LiveKitAPI(url=livekit_server.url, api_key=API_KEY, api_secret=API_SECRET)
    yield client
    await client.aclose()
