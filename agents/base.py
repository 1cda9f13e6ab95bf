"""What every agent on the call shares: the call's state and its models."""

from __future__ import annotations

from typing import Any

from livekit.agents import Agent, llm
from livekit.agents.types import NOT_GIVEN

from call.state import CallState


class CallAgent(Agent):
    """An agent of this call. Its models come from the call's `ModelKit` (or the session's)."""

    def __init__(
        self,
        *,
        instructions: str,
        chat_ctx: llm.ChatContext | None = None,
        llm_model: llm.LLM | None = None,
        tts_model: Any = None,
        tools: list[llm.Tool] | None = None,
    ) -> None:
        super().__init__(
            instructions=instructions,
            chat_ctx=chat_ctx if chat_ctx is not None else NOT_GIVEN,
            llm=llm_model if llm_model is not None else NOT_GIVEN,
            tts=tts_model if tts_model is not None else NOT_GIVEN,
            tools=tools or [],
        )

    @property
    def state(self) -> CallState:
        return self.session.userdata
