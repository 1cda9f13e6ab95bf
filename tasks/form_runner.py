"""Run a form on the call: welcome, the fields (a TaskGroup), then the record and the end.

    status = await run_form(agent, form)    # in an agent's on_enter (after consent) or a tool

What the caller hears and what is stored:

- complete: the form's final words (verbatim: no model round trip) start at once; then
  the call ends by itself (no end-call tool); ended_reason `form_completed`, every answer.
- a required answer refused twice: the form's incomplete words, and the call ends
  (`form_refused`, with what was collected).
- the caller hangs up: nothing to say (`caller_hung_up` during the form, what was
  collected so far).
- anything else failing: the incomplete words, `error`.

The record is completed (summary included, when asked for) and stored when the session
closes, like every call's (`call/record.py`).
- a limit of the line ends the call (silence, the maximum duration: `call/`): the same,
  with status `timed_out` and the limit as `ended_reason`.
"""

from __future__ import annotations

import logging
from typing import Literal

from livekit.agents import Agent, AgentSession

from call.call import Call
from call.livekit_compat import is_closing
from forms.model import Form
from tasks.field_decline import RequiredAnswerRefused
from tasks.form_compiler import FormProgress, compile_form

FormStatus = Literal["complete", "declined", "caller_hung_up", "timed_out", "error"]
# How each way a form ends is recorded (call/ending.py); a hang-up is the session's to say,
# a limit the limit's (call/silence.py, call/duration.py).
ENDINGS = {"complete": "form_completed", "declined": "form_refused", "error": "error"}

logger = logging.getLogger("consent-agent.forms")


async def collect(agent: Agent, form: Form, progress: FormProgress) -> FormStatus:
    """Run the form's TaskGroup; the status it ended with."""
    state: Call = agent.session.userdata
    try:
        await compile_form(
            form,
            progress,
            chat_ctx=agent.chat_ctx,
            render=state.settings.consent.render,
            phone_region=state.settings.telephony.phone_default_region,
        )
        return "complete"
    except RequiredAnswerRefused as exc:
        state.outcome.note("form_refused", form=form.name, field=exc.field, reason=exc.reason)
        return "declined"
    except Exception as exc:
        if state.outcome.limit is not None:  # silence or the maximum duration ended the call
            logger.info("form %s ended by %s", form.name, state.outcome.limit)
            return "timed_out"
        if state.outcome.caller_left or is_closing(agent.session):
            logger.info("caller left during form %s", form.name)
            return "caller_hung_up"
        logger.exception("form %s failed", form.name)
        state.outcome.note("form_error", form=form.name, error=f"{type(exc).__name__}: {exc}")
        return "error"


async def run_form(agent: Agent, form: Form) -> FormStatus:
    session: AgentSession = agent.session
    state: Call = session.userdata
    progress = FormProgress(form)
    state.collected_form = form
    state.outcome.form = form.name
    state.outcome.results = progress.results  # answers land in the record as they are given
    state.outcome.note("form_started", form=form.name)
    render = state.settings.consent.render

    if form.welcome:
        await session.say(render(form.welcome))

    status = await collect(agent, form, progress)
    if status in ENDINGS:
        state.outcome.end(ENDINGS[status], form=form.name)
    state.outcome.results = progress.ordered()
    state.outcome.note("form_ended", form=form.name, status=status)

    if status in ("caller_hung_up", "timed_out"):  # the call is over: nothing to say
        return status

    words = form.ending.final_words if status == "complete" else form.ending.incomplete_words
    await session.say(render(words), allow_interruptions=False)
    await state.controls.hang_up()
    return status
