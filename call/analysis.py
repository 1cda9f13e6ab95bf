"""The call's analysis: a summary of every call, and an optional success evaluation.

One bounded model call, made after the call ended (the caller's last words are behind
it, so no one waits on it), before the record is stored. It never fails the call and
never holds the record back: on an error or after `within` seconds the record is stored
with `analysis.status` saying so, and no summary.

The model is asked to call one tool, `submit_call_analysis`, whose arguments are the
summary and, when a rubric is configured (CALL_SUCCESS_QUESTION), the verdict or score and
a one-sentence reason. A model that answers in plain words instead still gives a summary.

What the model sees is what the record may carry: the transcript with its withheld and
masked parts (`call/transcript.py`), nothing at all in words for a call without consent
(then only what was done: the ending, the events, the form's results), and sensitive
answers masked. Its summary is masked again before it is kept.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import APIConnectOptions, function_tool, llm

from call.redaction import Redactor
from config.call_record import SuccessScale
from store.record_measures import Analysis, LLMUsage, SuccessEvaluation

logger = logging.getLogger("consent-agent.analysis")

SUMMARY_MARKER = "Summarize this phone call"
ANALYSIS_TOOL = "submit_call_analysis"
ANALYSIS_INSTRUCTIONS = f"""\
{SUMMARY_MARKER} for the team that receives its record. In two to four plain sentences,
say why the caller called, what was done or collected, how the call ended, and anything
the team should act on (refused or missing answers, corrections, concerns the caller
raised). Use only what is given below; don't invent details and don't repeat every field.
Text like [masked: name] stands for a value you must not guess.
Answer by calling `{ANALYSIS_TOOL}`.
"""
# One request, no retries: `within` bounds it (the job's shutdown budget is short).
ONE_TRY = APIConnectOptions(max_retry=0, retry_interval=0.0, timeout=10.0)
RUBRIC_INSTRUCTIONS = {
    "pass_fail": "Also judge the call: {question} Answer with passed (true or false) and a "
    "one-sentence reason.",
    "score_1_5": "Also judge the call: {question} Give a score from 1 (worst) to 5 (best) and "
    "a one-sentence reason.",
}


@dataclass(frozen=True)
class Rubric:
    question: str
    scale: SuccessScale


@dataclass(frozen=True)
class AnalysisInput:
    """What the model is told about the call."""

    ending: str
    transcript: str | None  # None: no words may be used (no consent)
    results: dict[str, Any] = field(default_factory=dict)
    form: str | None = None
    events: list[str] = field(default_factory=list)
    rubric: Rubric | None = None

    def message(self) -> str:
        parts = [f"How the call ended: {self.ending}"]
        if self.form:
            parts.append(f"Form: {self.form}")
            parts.append(f"Results: {json.dumps(self.results, ensure_ascii=False)}")
        if self.events:
            parts.append("What happened:\n" + "\n".join(f"- {e}" for e in self.events))
        if self.transcript is None:
            parts.append(
                "Transcript: none. The caller did not agree to recording, so their words "
                "are not kept: summarize only what happened above."
            )
        else:
            parts.append(f"Transcript:\n{self.transcript}")
        return "\n\n".join(parts)


def analysis_tool(rubric: Rubric | None) -> llm.Tool:
    properties: dict[str, Any] = {
        "summary": {"type": "string", "description": "Two to four plain sentences."}
    }
    required = ["summary"]
    if rubric is not None:
        if rubric.scale == "pass_fail":
            properties["passed"] = {"type": "boolean", "description": rubric.question}
            required.append("passed")
        else:
            properties["score"] = {
                "type": "integer",
                "minimum": 1,
                "maximum": 5,
                "description": rubric.question,
            }
            required.append("score")
        properties["reason"] = {"type": "string", "description": "One sentence: why."}
        required.append("reason")

    async def submit(raw_arguments: dict[str, Any]) -> None:
        return None  # never executed: the arguments are read from the model's answer

    return function_tool(
        submit,
        raw_schema={
            "name": ANALYSIS_TOOL,
            "description": "Submit the call's summary"
            + (" and its evaluation." if rubric else "."),
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    )


@dataclass
class _Answer:
    text: str = ""
    arguments: dict[str, Any] | None = None
    usage: llm.CompletionUsage | None = None


async def _ask(model: llm.LLM, data: AnalysisInput) -> _Answer:
    ctx = llm.ChatContext.empty()
    instructions = ANALYSIS_INSTRUCTIONS
    if data.rubric is not None:
        instructions += RUBRIC_INSTRUCTIONS[data.rubric.scale].format(question=data.rubric.question)
    ctx.add_message(role="system", content=instructions)
    ctx.add_message(role="user", content=data.message())
    answer = _Answer()
    async with model.chat(
        chat_ctx=ctx,
        tools=[analysis_tool(data.rubric)],
        tool_choice="required",
        conn_options=ONE_TRY,
    ) as stream:
        async for chunk in stream:
            if chunk.usage is not None:
                answer.usage = chunk.usage
            if chunk.delta is None:
                continue
            if chunk.delta.content:
                answer.text += chunk.delta.content
            for call in chunk.delta.tool_calls or []:
                if call.name == ANALYSIS_TOOL and answer.arguments is None:
                    parsed = json.loads(call.arguments or "{}")
                    answer.arguments = parsed if isinstance(parsed, dict) else {}
    return answer


def _evaluation(
    rubric: Rubric | None, arguments: dict[str, Any], redactor: Redactor
) -> tuple[SuccessEvaluation | None, str | None]:
    if rubric is None:
        return None, None
    reason = arguments.get("reason")
    verdict = arguments.get("passed" if rubric.scale == "pass_fail" else "score")
    valid = (
        isinstance(verdict, bool)
        if rubric.scale == "pass_fail"
        else (isinstance(verdict, int) and not isinstance(verdict, bool) and 1 <= verdict <= 5)
    )
    if not valid or not isinstance(reason, str) or not reason.strip():
        return None, "the model gave no valid success evaluation"
    return (
        SuccessEvaluation(
            question=rubric.question,
            scale=rubric.scale,
            passed=verdict if rubric.scale == "pass_fail" else None,
            score=verdict if rubric.scale == "score_1_5" else None,
            reason=redactor.text(reason.strip())[0],
        ),
        None,
    )


ERROR_CHARS = 160


def _describe(exc: Exception) -> str:
    """The error, short: a provider's message can quote the request, the call's words."""
    text = " ".join(str(exc).split())
    if len(text) > ERROR_CHARS:
        text = text[: ERROR_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass(frozen=True)
class AnalysisResult:
    summary: str | None
    analysis: Analysis


async def analyze_call(
    model: llm.LLM | None, data: AnalysisInput, *, within: float, redactor: Redactor
) -> AnalysisResult:
    """The summary and evaluation, or why there are none. Never raises."""
    if model is None:
        return AnalysisResult(None, Analysis(status="failed", error="no LLM to analyze with"))
    started = time.monotonic()
    name = f"{model.provider}/{model.model}"
    try:
        answer = await asyncio.wait_for(_ask(model, data), within)
    except TimeoutError:
        logger.warning("call analysis took longer than %.1fs; stored without it", within)
        return AnalysisResult(
            None,
            Analysis(
                status="timed_out",
                model=name,
                seconds=round(time.monotonic() - started, 3),
                error=f"timed out after {within:g}s",
            ),
        )
    except Exception as exc:
        error = _describe(exc)
        logger.warning("call analysis failed: %s", error)
        return AnalysisResult(
            None,
            Analysis(
                status="failed",
                model=name,
                seconds=round(time.monotonic() - started, 3),
                error=error,
            ),
        )
    arguments = answer.arguments or {}
    summary = arguments.get("summary") if isinstance(arguments.get("summary"), str) else None
    summary = (summary or answer.text).strip() or None
    success, problem = _evaluation(data.rubric, arguments, redactor)
    usage = None
    if answer.usage is not None:
        usage = LLMUsage(
            provider=model.provider,
            model=model.model,
            prompt_tokens=answer.usage.prompt_tokens,
            prompt_cached_tokens=answer.usage.prompt_cached_tokens,
            completion_tokens=answer.usage.completion_tokens,
        )
    if summary is None:
        problem = "the model gave no summary"
    return AnalysisResult(
        redactor.text(summary)[0] if summary else None,
        Analysis(
            status="done" if summary else "failed",
            model=name,
            seconds=round(time.monotonic() - started, 3),
            error=problem,
            success=success,
            usage=usage,
        ),
    )
