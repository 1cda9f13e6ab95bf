"""What every agent on the call shares: the call's state and its models."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Any

from livekit.agents import Agent, ModelSettings, llm
from livekit.agents.types import NOT_GIVEN

from agents.persona import instructions as with_persona
from call.call import Call
from call.consent_withdrawal import withdrawal_reply
from call.fast_path import newest_caller_words
from call.lookup import with_caller_context


class CallAgent(Agent):
    """An agent of this call. Its models come from the call's `ModelKit` (or the session's).

    Its instructions are its role plus the shared persona (agents/persona.py: company,
    style, the call's language). It answers a caller who withdraws their consent to
    recording ("stop recording") itself, with no model round trip, and is told what the
    caller lookup found about the caller (`call/lookup.py`), once it has.
    """

    answers_consent_withdrawal = True

    def __init__(
        self,
        call: Call,
        *,
        role: str,
        chat_ctx: llm.ChatContext | None = None,
        llm_model: llm.LLM | None = None,
        tts_model: Any = None,
        tools: list[llm.Tool] | None = None,
    ) -> None:
        settings = call.settings
        super().__init__(
            instructions=with_persona(
                role,
                company=settings.persona.company_name,
                language=settings.consent.language.name,
            ),
            chat_ctx=chat_ctx if chat_ctx is not None else NOT_GIVEN,
            llm=llm_model if llm_model is not None else call.models.llm or NOT_GIVEN,
            tts=tts_model if tts_model is not None else call.models.tts or NOT_GIVEN,
            tools=tools or [],
        )

    @property
    def state(self) -> Call:
        return self.session.userdata

    async def llm_node(
        self,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool],
        model_settings: ModelSettings,
    ) -> AsyncIterable[llm.ChatChunk | str]:
        words = newest_caller_words(chat_ctx)
        reply = withdrawal_reply(self.state, words) if words is not None else None
        if reply is not None:
            yield reply
            return
        chat_ctx = with_caller_context(chat_ctx, self.state)  # what the lookup found, if any
        async for chunk in Agent.default.llm_node(self, chat_ctx, tools, model_settings):
            yield chunk
