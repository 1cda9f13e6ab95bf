"""A scripted stand-in for an LLM: a test states what the model does at each step.

`ScriptedLLM` is a real `livekit.agents.llm.LLM`, so the real `AgentSession`, agents,
tasks and TaskGroups run on it unchanged. Each request is shown to a *brain* (a plain
function, or a `Script` of rules) as a `Request`; the brain answers with a `Reply`: words,
tool calls, or a provider error. Every request is kept in `.requests`, so a test can count
LLM round trips on a path.

Like a real provider it reports token usage with each answer, so LiveKit's usage and
metrics see realistic figures. They are estimates (`estimated_tokens`: about four
characters a token), reported under provider "offline", model "scripted": a stand-in,
never a real bill.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import APIConnectOptions, llm
from livekit.agents.llm import ChatChunk, ChoiceDelta, CompletionUsage, FunctionToolCall
from livekit.agents.llm.utils import build_legacy_openai_schema
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr
from livekit.agents.utils import shortuuid

SUMMARY_MARKER = "Compress older conversation history"


@dataclass(frozen=True)
class Request:
    """What the model was asked: the context, the tools offered and the tool choice."""

    chat_ctx: llm.ChatContext
    tool_names: tuple[str, ...]
    tool_choice: Any
    tools: tuple[llm.Tool, ...] = ()

    @property
    def items(self) -> list[llm.ChatItem]:
        return list(self.chat_ctx.items)

    @property
    def instructions(self) -> str:
        parts = [
            m.text_content or ""
            for m in self.chat_ctx.items
            if m.type == "message" and m.role in ("system", "developer")
        ]
        return "\n".join(parts)

    @property
    def is_summary(self) -> bool:
        """True for a TaskGroup's (tool-less) request to summarize its sub-conversation."""
        return SUMMARY_MARKER in self.instructions

    @property
    def last(self) -> llm.ChatItem | None:
        return self.chat_ctx.items[-1] if self.chat_ctx.items else None

    @property
    def last_user_text(self) -> str:
        for item in reversed(self.chat_ctx.items):
            if item.type == "message" and item.role == "user":
                return item.text_content or ""
        return ""

    @property
    def answering_user(self) -> bool:
        """The newest item is the caller's words (not a tool result or an instruction)."""
        last = self.last
        return last is not None and last.type == "message" and last.role == "user"

    @property
    def last_tool_output(self) -> llm.FunctionCallOutput | None:
        last = self.last
        return last if last is not None and last.type == "function_call_output" else None

    @property
    def caller_lines(self) -> list[str]:
        """Everything the caller said, in order."""
        return [
            item.text_content or ""
            for item in self.chat_ctx.items
            if item.type == "message" and item.role == "user"
        ]

    @property
    def last_agent_text(self) -> str:
        """The agent's newest line (what the caller heard last)."""
        for item in reversed(self.chat_ctx.items):
            if item.type == "message" and item.role == "assistant":
                return item.text_content or ""
        return ""

    def call_of(self, output: llm.FunctionCallOutput) -> llm.FunctionCall | None:
        """The tool call `output` answers."""
        for item in self.chat_ctx.items:
            if item.type == "function_call" and item.call_id == output.call_id:
                return item
        return None

    def parameters(self, tool: str) -> dict[str, Any]:
        """The JSON Schema of `tool`'s arguments, as the model is shown it."""
        for offered in self.tools:
            if isinstance(offered, llm.RawFunctionTool) and offered.info.name == tool:
                return dict(offered.info.raw_schema.get("parameters") or {})
            if isinstance(offered, llm.FunctionTool) and offered.info.name == tool:
                schema = build_legacy_openai_schema(offered, internally_tagged=True)
                return dict(schema["parameters"])
        return {}

    def offers(self, tool: str) -> bool:
        return tool in self.tool_names

    def user_said(self, pattern: str) -> bool:
        """The caller's newest words match `pattern` (a case-insensitive regex)."""
        return self.answering_user and re.search(pattern, self.last_user_text, re.I) is not None


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """The model's answer: words, tool calls, or an error raised by the provider; `delay`
    seconds before it starts (a slow provider)."""

    text: str | None = None
    calls: tuple[ToolCall, ...] = ()
    error: Exception | None = None
    delay: float = 0.0

    def then(self, other: Reply) -> Reply:
        return Reply(
            text=" ".join(t for t in (self.text, other.text) if t) or None,
            calls=self.calls + other.calls,
        )


def say(text: str) -> Reply:
    return Reply(text=text)


def call(name: str, /, **arguments: Any) -> Reply:
    return Reply(calls=(ToolCall(name, arguments),))


def fail(error: Exception) -> Reply:
    return Reply(error=error)


def slow(reply: Reply, seconds: float) -> Reply:
    """`reply`, after `seconds` (what a real provider's time to first token looks like)."""
    return Reply(text=reply.text, calls=reply.calls, error=reply.error, delay=seconds)


Brain = Callable[[Request], "Reply | str | None"]


@dataclass
class Rule:
    when: Callable[[Request], bool]
    reply: Reply | Callable[[Request], Reply | str | None]
    times: int | None = None  # None: any number of times
    used: int = 0
    name: str = ""


@dataclass
class Script:
    """Ordered rules: the first rule whose condition holds (and isn't used up) answers.

    >>> script = Script()
    >>> script.when(lambda r: r.offers("route_to_billing") and r.user_said("bill"),
    ...             call("route_to_billing"))
    """

    rules: list[Rule] = field(default_factory=list)
    otherwise: Reply | Callable[[Request], Reply | str | None] | None = None

    def when(
        self,
        condition: Callable[[Request], bool],
        reply: Reply | Callable[[Request], Reply | str | None],
        *,
        times: int | None = None,
        name: str = "",
    ) -> Script:
        self.rules.append(Rule(condition, reply, times, name=name))
        return self

    def __call__(self, request: Request) -> Reply | str | None:
        for rule in self.rules:
            if rule.times is not None and rule.used >= rule.times:
                continue
            if rule.when(request):
                rule.used += 1
                return rule.reply(request) if callable(rule.reply) else rule.reply
        if self.otherwise is None:
            return None
        return self.otherwise(request) if callable(self.otherwise) else self.otherwise


CHARS_PER_TOKEN = 4


def estimated_tokens(text: str) -> int:
    """What a tokenizer would roughly count for `text` (about four characters a token)."""
    return max(1, round(len(text) / CHARS_PER_TOKEN)) if text else 0


def _prompt_text(request: Request) -> str:
    parts = []
    for item in request.items:
        if item.type == "message":
            parts.append(item.text_content or "")
        elif item.type == "function_call":
            parts.append(f"{item.name}({item.arguments})")
        elif item.type == "function_call_output":
            parts.append(item.output)
    return "\n".join([*parts, *request.tool_names])


class NoScriptedReply(AssertionError):
    """The script has no answer for a request: the flow went somewhere the test didn't plan."""


class ScriptedLLM(llm.LLM):
    def __init__(self, brain: Brain, *, label: str = "scripted", latency: float = 0.0) -> None:
        super().__init__()
        self._brain = brain
        self._label = label
        self.latency = latency  # seconds before every answer starts (on top of a reply's delay)
        self.requests: list[Request] = []

    @property
    def model(self) -> str:
        return self._label

    @property
    def provider(self) -> str:
        return "offline"

    def answer(self, request: Request) -> Reply:
        reply = self._brain(request)
        if reply is None:
            raise NoScriptedReply(
                f"{self._label}: no scripted reply for a request offering tools "
                f"{list(request.tool_names)}; last item: {request.last!r}"
            )
        if isinstance(reply, str):
            reply = Reply(text=reply)
        if request.tool_choice == "none" and reply.calls:
            reply = Reply(text=reply.text or "")  # a real provider answers in words only
        return reply

    def chat(
        self,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> llm.LLMStream:
        tools = tools or []
        names = tuple(t.id for t in tools)
        request = Request(
            chat_ctx=chat_ctx.copy(), tool_names=names, tool_choice=tool_choice, tools=tuple(tools)
        )
        self.requests.append(request)
        return _ScriptedStream(self, request, chat_ctx=chat_ctx, tools=tools, conn=conn_options)


class _ScriptedStream(llm.LLMStream):
    def __init__(
        self,
        owner: ScriptedLLM,
        request: Request,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool],
        conn: APIConnectOptions,
    ) -> None:
        super().__init__(owner, chat_ctx=chat_ctx, tools=tools, conn_options=conn)
        self._owner = owner
        self._request = request

    async def _run(self) -> None:
        reply = self._owner.answer(self._request)
        if self._owner.latency or reply.delay:
            await asyncio.sleep(self._owner.latency + reply.delay)
        if reply.error is not None:
            raise reply.error
        chunk_id = shortuuid("scripted_")
        if reply.text:
            self._event_ch.send_nowait(
                ChatChunk(id=chunk_id, delta=ChoiceDelta(role="assistant", content=reply.text))
            )
        if reply.calls:
            calls = [
                FunctionToolCall(
                    name=c.name, arguments=json.dumps(c.arguments), call_id=shortuuid("call_")
                )
                for c in reply.calls
            ]
            self._event_ch.send_nowait(
                ChatChunk(id=chunk_id, delta=ChoiceDelta(role="assistant", tool_calls=calls))
            )
        completion = estimated_tokens(reply.text or "") + sum(
            estimated_tokens(f"{c.name}{json.dumps(c.arguments)}") for c in reply.calls
        )
        prompt = estimated_tokens(_prompt_text(self._request))
        self._event_ch.send_nowait(
            ChatChunk(
                id=chunk_id,
                usage=CompletionUsage(
                    completion_tokens=completion,
                    prompt_tokens=prompt,
                    total_tokens=prompt + completion,
                ),
            )
        )
