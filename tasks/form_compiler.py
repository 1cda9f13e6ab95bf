"""Compile a form into the framework's TaskGroup: one task per field, in order.

- email, phone, address, person_name, date_of_birth, keypad_digits: LiveKit's prebuilt
  collectors (`tasks.collectors`);
- string, number, boolean, choice, date, object: a `FieldTask` whose tool arguments are
  typed from the field;
- list: a `ListFieldTask` that repeats until the caller says that's all.

A field with `ask` is asked in those words, spoken as fixed text when its task starts:
the caller's answer to one field is then followed by the next question after a single
model round trip (the one that records the answer), instead of two.

Task ids are field names, so the group's `out_of_scope` tool lets the model go back to any
field already visited when the caller corrects an answer (the field's factory runs again).
Every answer is written to `FormProgress.results` the moment it is given, so a call that
ends early still has what was collected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import llm
from livekit.agents.beta.workflows import TaskCompletedEvent, TaskGroup
from livekit.agents.types import NOT_GIVEN
from livekit.agents.voice.agent import AgentTask

from forms.model import COLLECTOR_TYPES, Form, FormField
from tasks.collectors import collected_value, collector_for
from tasks.field_decline import RefusedAnswer, RequiredAnswerRefused
from tasks.form_field import FieldTask
from tasks.list_field import ListFieldTask

FORM_CONTEXT = """\
# The call
You are on a phone call collecting "{label}".
{instructions}
"""


@dataclass
class FormProgress:
    """The answers given so far, keyed by field name (shared with the call's record)."""

    form: Form
    results: dict[str, Any] = field(default_factory=dict)

    def record(self, name: str, value: Any) -> None:
        self.results[name] = value

    def ordered(self) -> dict[str, Any]:
        """The answers in the form's order (a corrected answer keeps its place)."""
        return {f.name: self.results[f.name] for f in self.form.fields if f.name in self.results}


def form_context(form: Form, render: Callable[[str], str] = str) -> str:
    """What every field's task knows about the call (`render` fills in {company})."""
    return FORM_CONTEXT.format(label=form.label, instructions=render(form.instructions.strip()))


def task_factory(
    f: FormField,
    context: str,
    progress: FormProgress,
    render: Callable[[str], str] = str,
    phone_region: str | None = None,
) -> Callable[[], AgentTask[Any]]:
    """`render` fills in {company} in the field's fixed words (`ask`, `ask_another`);
    phone numbers said without a country code are read in `phone_region`."""
    if f.type in COLLECTOR_TYPES:
        return lambda: collector_for(f, context=context, render=render, phone_region=phone_region)
    if f.type == "list":

        def make_list() -> AgentTask[Any]:
            so_far = progress.results.get(f.name)
            return ListFieldTask(
                f,
                context=context,
                items=so_far if isinstance(so_far, list) else None,
                on_change=lambda items: progress.record(f.name, items),
                render=render,
                phone_region=phone_region,
            )

        return make_list
    return lambda: FieldTask(f, context=context, render=render, phone_region=phone_region)


def answer_value(f: FormField, result: Any) -> Any:
    """A task's result as stored in `results` (JSON values; None for a declined field)."""
    if f.type in COLLECTOR_TYPES:
        return collected_value(f, result)
    return result


def compile_form(
    form: Form,
    progress: FormProgress,
    *,
    chat_ctx: llm.ChatContext | None = None,
    render: Callable[[str], str] = str,
    phone_region: str | None = None,
) -> TaskGroup:
    """The TaskGroup that collects `form`, writing each answer into `progress`.

    `summarize_chat_ctx` is off: a finished form ends the call, so compressing its
    sub-conversation for a parent agent would be an LLM round trip the caller waits
    through for nothing. The call summary, when asked for, is written off the caller's
    path (`tasks.form_summary`).
    """

    async def on_completed(event: TaskCompletedEvent) -> None:
        if isinstance(event.result, RefusedAnswer):
            raise RequiredAnswerRefused(event.result.field, event.result.reason)  # ends the group
        f = form.field(event.task_id)
        progress.record(f.name, answer_value(f, event.result))

    group = TaskGroup(
        summarize_chat_ctx=False,
        chat_ctx=chat_ctx if chat_ctx is not None else NOT_GIVEN,
        on_task_completed=on_completed,
    )
    context = form_context(form, render)
    for f in form.fields:
        group.add(
            task_factory(f, context, progress, render, phone_region),
            id=f.name,
            description=f.description,
        )
    return group
