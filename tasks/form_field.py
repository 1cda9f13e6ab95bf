"""FieldTask: collect one typed answer (string, number, boolean, choice, date, object).

The recording tool's arguments are typed from the form's field (JSON Schema offered to the
model, pydantic validation in code): a bad value goes back to the model as a ToolError with
the reason, so it can ask again. The result is the answer as a JSON value, or None when an
optional field was declined.

The question: with the field's `ask`, its words are spoken verbatim when the task starts
(no model round trip between the previous answer and this question); without it, the
model asks, and may record an answer the caller already gave instead of asking.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from livekit.agents import AgentTask, ToolError, function_tool, llm
from livekit.agents.llm import ToolFlag
from livekit.agents.types import NOT_GIVEN

from forms.model import FormField
from forms.values import AnswerError, answer_model, tool_parameters, validate_answer
from tasks.field_decline import DeclinePolicy

FIELD_INSTRUCTIONS = """\
{context}

# This step
You are collecting one answer: {description}
{ask_rule}
- As soon as the caller answers, call `{record}` with their answer. Never invent or guess
  an answer the caller didn't give; if the answer is unclear, ask again.
- If a value is rejected, tell the caller briefly what is needed and ask again.
{decline_rule}
- If the caller wants to change an earlier answer, use `out_of_scope` when offered.
- Spoken, warm, brief. No lists or markdown; never mention tools.
"""

OPTIONAL_RULE = (
    "- This answer is optional: if the caller doesn't know or prefers not to say, call "
    "`{decline}` and move on."
)
REQUIRED_RULE = (
    "- This answer is required. If the caller refuses, call `{decline}` with their reason."
)


MODEL_ASKS = "- Ask for it in one short, spoken question (unless the caller already gave it)."
ASKED = (
    '- The caller has just been asked: "{ask}" Wait for their answer; ask again in your own '
    "words only if it was unclear or rejected."
)


def _rules(field: FormField, decline: str) -> str:
    return (OPTIONAL_RULE if not field.required else REQUIRED_RULE).format(decline=decline)


class FieldTask(AgentTask[Any]):
    def __init__(
        self,
        field: FormField,
        *,
        context: str,
        chat_ctx: llm.ChatContext | None = None,
        render: Callable[[str], str] = str,
        phone_region: str | None = None,
    ) -> None:
        self.form_field = field
        self.field_name = field.name  # which field this collects (the call record reads it)
        self._phone_region = phone_region
        self.ask = render(field.ask) if field.ask else None
        self.record_tool_name = f"record_{field.name}"
        self.decline_tool_name = f"decline_{field.name}"
        self._model = answer_model(field)
        self._policy = DeclinePolicy(
            field=field.name, label=field.description, required=field.required
        )
        super().__init__(
            instructions=FIELD_INSTRUCTIONS.format(
                context=context,
                description=field.description,
                ask_rule=ASKED.format(ask=self.ask) if self.ask else MODEL_ASKS,
                record=self.record_tool_name,
                decline_rule=_rules(field, self.decline_tool_name),
            ),
            chat_ctx=chat_ctx if chat_ctx is not None else NOT_GIVEN,
            tools=[self._record_tool(), self._decline_tool()],
        )

    async def on_enter(self) -> None:
        self._policy.started(self)
        if self.ask:
            self.session.say(self.ask)  # fixed words: no model round trip before the question
            return
        self.session.generate_reply(
            instructions=(
                f"Ask the caller for: {self.form_field.description}. If they already said it "
                f"earlier in this conversation, call `{self.record_tool_name}` instead of asking."
            )
        )

    def _record_tool(self) -> llm.Tool:
        field = self.form_field
        what = "the answer" if field.type != "object" else "the answers"

        async def record(raw_arguments: dict[str, Any]) -> str | None:
            try:
                value = validate_answer(self._model, raw_arguments, phone_region=self._phone_region)
            except AnswerError as exc:
                raise ToolError(f"Not recorded: {exc}. Ask the caller again.") from None
            if not self.done():
                self.complete(value if field.type == "object" else value["value"])
            return None

        return function_tool(
            record,
            raw_schema={
                "name": self.record_tool_name,
                "description": f"Record {what} the caller gave for: {field.description}",
                "parameters": tool_parameters(field),
            },
        )

    def _decline_tool(self) -> llm.Tool:
        async def decline(raw_arguments: dict[str, Any]) -> None:
            self._policy.decline(self, str(raw_arguments.get("reason", "")))

        verb = "declines or doesn't know" if not self.form_field.required else "refuses"
        return function_tool(
            decline,
            raw_schema={
                "name": self.decline_tool_name,
                "description": f"Use when the caller {verb}: {self.form_field.description}",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "reason": {"type": "string", "description": "What the caller said."}
                    },
                    "required": ["reason"],
                },
            },
            flags=ToolFlag.IGNORE_ON_ENTER,
        )
