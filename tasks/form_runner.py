"""Run a form on the call: welcome, the fields (a TaskGroup), then the record and the end.

    status = await run_form(agent, form)    # in an agent's on_enter (after consent) or a tool

What the caller hears and what is stored:

- complete: the form's final words (verbatim: no model round trip) start at once; the
  summary, if asked for, is written while they play; the record (status complete, every
  answer) is stored; then the call ends by itself. No end-call tool.
- a required answer refused twice: the form's incomplete words, the record with status
  `declined` and what was collected, and the call ends.
- the caller hangs up: nothing to say; the record (status `caller_hung_up`, what was
  collected so far) is stored in the background, before the job's shutdown finishes.
- a limit of the line ends the call (silence, the maximum duration: `call/`): the same,
  with status `timed_out` and the limit as `ended_reason`.
- anything else failing: the incomplete words, status `error`.
"""

from __future__ import annotations

import logging

from livekit.agents import Agent, AgentSession, llm

from call.call import Call
from call.livekit_compat import is_closing
from call.record import save_call_record, store_call_record
from forms.model import Form
from store.records import CallStatus
from tasks.field_decline import RequiredAnswerRefused
from tasks.form_compiler import FormProgress, compile_form
from tasks.form_summary import bounded_summary

logger = logging.getLogger("consent-agent.forms")


def wants_summary(form: Form, state: Call) -> bool:
    if form.ending.summary is not None:
        return form.ending.summary
    return state.settings.forms.forms_summary


def _summary_llm(session: AgentSession, state: Call) -> llm.LLM | None:
    model = state.models.llm or session.llm
    return model if isinstance(model, llm.LLM) else None


async def _write_summary(session: AgentSession, state: Call, form: Form) -> None:
    if not wants_summary(form, state):
        return
    summary, problem = await bounded_summary(
        _summary_llm(session, state),
        within=state.settings.forms.forms_summary_timeout,
        form=form,
        history=list(session.history.items),
        results=state.outcome.results,
        status=state.outcome.status or "complete",
    )
    state.outcome.summary = summary
    if problem:
        state.outcome.note("summary_failed", error=problem)


async def _store_after_hang_up(session: AgentSession, state: Call, form: Form) -> None:
    await _write_summary(session, state, form)
    await store_call_record(state)


async def collect(agent: Agent, form: Form, progress: FormProgress) -> CallStatus:
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


async def run_form(agent: Agent, form: Form) -> CallStatus:
    session: AgentSession = agent.session
    state: Call = session.userdata
    progress = FormProgress(form)
    state.outcome.form = form.name
    state.outcome.results = progress.results  # answers land in the record as they are given
    state.outcome.note("form_started", form=form.name)
    render = state.settings.consent.render

    if form.welcome:
        await session.say(render(form.welcome))

    status = await collect(agent, form, progress)
    state.outcome.end(status)
    state.outcome.results = progress.ordered()
    state.outcome.note("form_ended", form=form.name, status=status)

    if status in ("caller_hung_up", "timed_out"):  # the call is over: nothing to say
        state.journal.spawn(_store_after_hang_up(session, state, form), what="form record")
        return status

    words = form.ending.final_words if status == "complete" else form.ending.incomplete_words
    goodbye = session.say(render(words), allow_interruptions=False)
    await _write_summary(session, state, form)  # while the caller hears the final words
    await save_call_record(state)
    await goodbye
    await state.controls.hang_up()
    return status
