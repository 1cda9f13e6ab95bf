"""The data-collection agent: runs one form, stores the record, and ends the call.

Reached after consent, from the front desk when the call's form was selected at dispatch
(metadata or dialled number), or from a tool (the sales specialist starts lead
qualification). It has no tools of its own: while the form runs, the active task is one
of the form's fields.
"""

from __future__ import annotations

from livekit.agents import llm

from agents.base import CallAgent
from call.call import Call
from forms.model import Form
from tasks.form_runner import run_form

FORM_AGENT_INSTRUCTIONS = """\
# Role
You are collecting "{label}" on this call, one question at a time.
{instructions}
"""


class FormAgent(CallAgent):
    def __init__(self, call: Call, form: Form, *, chat_ctx: llm.ChatContext | None = None) -> None:
        role = FORM_AGENT_INSTRUCTIONS.format(
            label=form.label, instructions=form.instructions.strip()
        )
        super().__init__(call, role=role, chat_ctx=chat_ctx)
        self.form = form

    async def on_enter(self) -> None:
        await run_form(self, self.form)
