"""ListFieldTask: collect a list of items (medications, attendees) until the caller is done.

Each item is one typed tool call (`add_<item>`), validated like a form field. The caller can
take one back (`remove_<item>`); `finish_<list>` ends the list when they say that's all (at
least `min_items`), and the list ends by itself at `max_items`. Items collected so far are
reported through `on_change`, so a hang-up keeps them, and a revisit (a correction through
the TaskGroup's out_of_scope) starts from them instead of from scratch.

Fixed words, where the form gives them: the field's `ask` opens the list verbatim (a
revisit with items already given stays a model turn: it has to say what is there), and
`ask_another` is said verbatim after each item, in place of the model's reply to `add_<item>`
(one model round trip per item instead of two).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from livekit.agents import AgentTask, RunContext, ToolError, function_tool, llm
from livekit.agents.llm import ToolFlag, ToolResult
from livekit.agents.types import NOT_GIVEN

from forms.model import FormField
from forms.values import AnswerError, item_model, tool_parameters, validate_answer
from tasks.field_decline import DeclinePolicy

LIST_INSTRUCTIONS = """\
{context}

# This step
You are collecting a list: {description}
Each {item} has: {item_fields}.
- Ask for one {item} at a time. As soon as the caller has given one, call `{add}`.
  Never invent details the caller didn't give; leave out optional details they didn't say.{asked}
- {another_rule} When the caller says that's all (or
  has none), call `{finish}`.
- If the caller takes one back, call `{remove}` with its number.
{decline_rule}
- If the caller wants to change an earlier answer, use `out_of_scope` when offered.
- Spoken, warm, brief. No lists or markdown; never mention tools.
"""


ASKED = '\n- The caller has just been asked: "{ask}" Wait for their answer.'
MODEL_ASKS_ANOTHER = "After each {item}, ask whether there is another."
ASKED_ANOTHER = (
    'After each {item} you add, the caller is asked "{another}" for you: don\'t ask it yourself.'
)


class ListFieldTask(AgentTask[list[dict[str, Any]] | None]):
    def __init__(
        self,
        field: FormField,
        *,
        context: str,
        items: list[dict[str, Any]] | None = None,
        on_change: Callable[[list[dict[str, Any]]], None] | None = None,
        chat_ctx: llm.ChatContext | None = None,
        render: Callable[[str], str] = str,
        phone_region: str | None = None,
    ) -> None:
        self.form_field = field
        self.field_name = field.name  # which field this collects (the call record reads it)
        self._phone_region = phone_region
        self.ask = render(field.ask) if field.ask else None
        self.ask_another = render(field.ask_another) if field.ask_another else None
        self._asked_another_in: str | None = None  # the speech that already asked it
        self.items: list[dict[str, Any]] = list(items or [])
        self._on_change = on_change
        self._model = item_model(field)
        item = field.item_label
        self.add_tool_name = f"add_{item}"
        self.remove_tool_name = f"remove_{item}"
        self.finish_tool_name = f"finish_{field.name}"
        self.decline_tool_name = f"decline_{field.name}"
        self._policy = DeclinePolicy(
            field=field.name, label=field.description, required=field.required
        )
        rule = (
            f"- This list is optional: if the caller prefers not to say, call "
            f"`{self.decline_tool_name}`."
            if not field.required
            else f"- This list is required. If the caller refuses, call `{self.decline_tool_name}`."
        )
        item_fields = ", ".join(
            f"{f.name} ({f.description}{'' if f.required else ', optional'})"
            for f in field.fields or []
        )
        spoken_item = item.replace("_", " ")
        super().__init__(
            instructions=LIST_INSTRUCTIONS.format(
                context=context,
                description=field.description,
                item=spoken_item,
                item_fields=item_fields,
                asked=ASKED.format(ask=self.ask) if self.ask else "",
                another_rule=(
                    ASKED_ANOTHER.format(item=spoken_item, another=self.ask_another)
                    if self.ask_another
                    else MODEL_ASKS_ANOTHER.format(item=spoken_item)
                ),
                add=self.add_tool_name,
                finish=self.finish_tool_name,
                remove=self.remove_tool_name,
                decline_rule=rule,
            ),
            chat_ctx=chat_ctx if chat_ctx is not None else NOT_GIVEN,
            tools=[
                self._add_tool(),
                self._remove_tool(),
                self._finish_tool(),
                self._decline_tool(),
            ],
        )

    async def on_enter(self) -> None:
        self._policy.started(self)
        if self.items:
            listed = json.dumps(self.items, ensure_ascii=False)
            prompt = (
                f"The caller already gave these ({len(self.items)}): {listed}. Ask what they "
                "want to change or add."
            )
        elif self.ask:
            self.session.say(self.ask)  # fixed words: no model round trip before the question
            return
        else:
            prompt = (
                f"Ask the caller for: {self.form_field.description}. If they already gave "
                f"some earlier in this conversation, add them with `{self.add_tool_name}`."
            )
        self.session.generate_reply(instructions=prompt)

    # -- tools ----------------------------------------------------------------------

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(list(self.items))

    def _add_tool(self) -> llm.Tool:
        field = self.form_field

        async def add(
            raw_arguments: dict[str, Any], context: RunContext
        ) -> str | ToolResult | None:
            try:
                item = validate_answer(self._model, raw_arguments, phone_region=self._phone_region)
            except AnswerError as exc:
                raise ToolError(f"Not added: {exc}. Ask the caller again.") from None
            self.items.append(item)
            self._changed()
            count = len(self.items)
            if field.max_items is not None and count >= field.max_items:
                if not self.done():
                    self.complete(list(self.items))
                return None
            if self.ask_another:
                # Fixed words instead of the model's reply: said once per model answer, even
                # when it added several items at once.
                speech = context.speech_handle.id
                if self._asked_another_in != speech:
                    self._asked_another_in = speech
                    self.session.say(self.ask_another)
                return ToolResult(
                    f"Added {field.item_label} {count}. The caller was asked whether there is "
                    f"another; when they say that's all, call `{self.finish_tool_name}`.",
                    reply_required=False,
                )
            return (
                f"Added {field.item_label} {count}. Ask whether there is another; when the "
                f"caller says that's all, call `{self.finish_tool_name}`."
            )

        return function_tool(
            add,
            raw_schema={
                "name": self.add_tool_name,
                "description": f"Add one {field.item_label} the caller gave ({field.description})",
                "parameters": tool_parameters(field, item=True),
            },
        )

    def _remove_tool(self) -> llm.Tool:
        async def remove(raw_arguments: dict[str, Any]) -> str:
            number = raw_arguments.get("number")
            if not isinstance(number, int) or not 1 <= number <= len(self.items):
                raise ToolError(
                    f"There is no {self.form_field.item_label} number {number!r}; "
                    f"there are {len(self.items)}."
                )
            removed = self.items.pop(number - 1)
            self._changed()
            return f"Removed {json.dumps(removed, ensure_ascii=False)}; {len(self.items)} left."

        return function_tool(
            remove,
            raw_schema={
                "name": self.remove_tool_name,
                "description": f"Remove a {self.form_field.item_label} the caller takes back.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "number": {
                            "type": "integer",
                            "minimum": 1,
                            "description": "Its position in the list, from 1.",
                        }
                    },
                    "required": ["number"],
                },
            },
            flags=ToolFlag.IGNORE_ON_ENTER,
        )

    def _finish_tool(self) -> llm.Tool:
        field = self.form_field

        async def finish(raw_arguments: dict[str, Any]) -> None:
            needed = field.min_items or 0
            if len(self.items) < needed:
                raise ToolError(
                    f"At least {needed} {field.item_label}(s) are needed; there are "
                    f"{len(self.items)}. Ask the caller for another."
                )
            if not self.done():
                self.complete(list(self.items))

        return function_tool(
            finish,
            raw_schema={
                "name": self.finish_tool_name,
                "description": (
                    f"Call when the caller says there are no more ({field.description}), "
                    "including when they have none."
                ),
                "parameters": {"type": "object", "properties": {}},
            },
            flags=ToolFlag.IGNORE_ON_ENTER,
        )

    def _decline_tool(self) -> llm.Tool:
        async def decline(raw_arguments: dict[str, Any]) -> None:
            self._policy.decline(self, str(raw_arguments.get("reason", "")))

        return function_tool(
            decline,
            raw_schema={
                "name": self.decline_tool_name,
                "description": f"Use when the caller won't answer: {self.form_field.description}",
                "parameters": {
                    "type": "object",
                    "properties": {"reason": {"type": "string"}},
                    "required": ["reason"],
                },
            },
            flags=ToolFlag.IGNORE_ON_ENTER,
        )
