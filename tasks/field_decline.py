"""When the caller won't answer: optional fields are declined, required ones can't be skipped.

- optional: the field completes with `None` (null in `results`) and the form goes on;
- required: the first refusal goes back to the model (explain why it's needed, ask once
  more); a second one completes the field with a `RefusedAnswer`, which the form turns
  into `RequiredAnswerRefused` (the form ends, and the record says which answer was
  refused instead of silently missing it).

A refusal is something the caller said, so refusals are counted per caller turn, not per
tool call: however many times the model calls the decline tool for one thing the caller
said (several calls in one response, or again after "ask once more" before the caller
spoke), it is one refusal. The turn is the caller's newest message in the task's context,
and it must be one said after the field's task started (`started` is called from each
task's `on_enter`): a decline in a reply the agent made by itself (too few keypad digits)
refuses nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from livekit.agents import AgentTask, ToolError

logger = logging.getLogger("consent-agent.forms")


@dataclass(frozen=True)
class RefusedAnswer:
    """A required field's result when the caller refused it twice."""

    field: str
    reason: str


class RequiredAnswerRefused(Exception):
    """The caller refused a required field twice: the form can't be completed."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"the caller refused the required field {field!r}: {reason}")
        self.field = field
        self.reason = reason


def caller_turn(task: AgentTask[Any]) -> str | None:
    """The id of the caller's newest message in the task's context (None: none yet). LiveKit
    adds the caller's message to the context before the tools of the reply to it run."""
    for item in reversed(task.chat_ctx.items):
        if item.type == "message" and item.role == "user":
            return item.id
    return None


class DeclinePolicy:
    """One field's decline rule, shared by the prebuilt collectors and the typed tasks."""

    def __init__(self, *, field: str, label: str, required: bool) -> None:
        self.field = field
        self.label = label
        self.required = required
        self.refused_in: list[str | None] = []  # the caller turns that refused, in order
        self.before: str | None = None  # the caller's last turn before this field's task

    def started(self, task: AgentTask[Any]) -> None:
        """The field's task starts: what the caller said before is not about this field."""
        self.before = caller_turn(task)

    @property
    def refusals(self) -> int:
        return len(self.refused_in)

    def decline(self, task: AgentTask[Any], reason: str) -> None:
        if task.done():
            return
        if not self.required:
            logger.info("optional field %s declined", self.field)
            task.complete(None)
            return
        turn = caller_turn(task)
        if turn == self.before:
            raise ToolError(
                "Not recorded: the caller hasn't answered this question yet. Ask them and "
                "wait for their answer; call this tool only if they refuse."
            )
        if turn in self.refused_in:
            raise ToolError(
                "Already noted: this is the refusal you already reported. Ask the caller once "
                "more and wait for their answer; call this tool again only if they refuse in "
                "their next answer."
            )
        self.refused_in.append(turn)
        if self.refusals < 2:
            raise ToolError(
                f"{self.label} is required, so it can't be skipped. Briefly tell the caller "
                "why it's needed and ask once more. Only if they refuse again, call this tool "
                "again."
            )
        logger.info("required field %s refused", self.field)
        # A value, not an exception: the task ends normally inside the tool call, and the
        # form (not the tool's speech) decides what a refusal means.
        task.complete(RefusedAnswer(self.field, reason))
