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
You work for {company} and are collecting "{label}" on a phone call.
{instructions}

# Style
Spoken, warm, brief: one question at a time. Never read out tool names.
"""


class FormAgent(CallAgent):
    def __init__(self, state: Call, form: Form, *, chat_ctx: llm.ChatContext | None = None) -> None:
        super().__init__(
            instructions=FORM_AGENT_INSTRUCTIONS.format(
                company=state.settings.consent.company_name,
                label=form.label,
                instructions=state.settings.consent.render(form.instructions.strip()),
            ),
            chat_ctx=chat_ctx,
            language=state.settings.consent.language.name,
            llm_model=state.models.llm,
            tts_model=state.models.tts,
        )
        self.form = form

    async def on_enter(self) -> None:
        await run_form(self, self.form)
