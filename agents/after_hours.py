"""Outside business hours (`config/hours.py`): what the caller hears and what agents offer.

Consent still comes first: after hours its greeting says the office is closed, in fixed
words (`AFTER_HOURS_GREETING`), and the record keeps the exact words played. No agent
offers a person; the code refuses a transfer anyway (`telephony/transfer.py`). The front
desk hands such callers to the manager, who offers a call back or takes a message.
"""

from __future__ import annotations

from call.call import Call
from config.consent import ConsentSettings
from store.records import utcnow

FRONT_DESK = """
# After hours
The office is closed now{back}: no one on the team can take the caller, so never offer to
put them through to a person. If they want a person, a call back or to leave a message,
escalate to the manager, who can arrange a call back or take a message.
"""

MANAGER = """
# After hours
The office is closed now{back}: no one on the team can take the caller, so never offer a
transfer to a person, and never mention one when you can't grant something. Offer a call
back from the team instead (`request_callback`){message}. If the caller still insists on a
person, call `transfer_to_human`: it tells them no one is available and offers a call back.
"""


def consent_settings(state: Call) -> ConsentSettings:
    """The consent question's settings for this call: after hours, the greeting says so."""
    consent = state.settings.consent
    hours = state.settings.hours
    line = hours.after_hours_greeting
    if not state.outcome.after_hours or not hours.after_hours_announce or line is None:
        return consent
    return consent.model_copy(update={"consent_greeting": f"{consent.line('greeting')} {line}"})


def _back(state: Call) -> str:
    schedule = state.settings.hours.schedule
    opens = schedule.reopens(utcnow()) if schedule is not None else None
    return f" (the team is back on {opens:%A} at {opens:%H:%M})" if opens is not None else ""


def front_desk_rules(state: Call) -> str:
    """The front desk's after-hours rules, or nothing during business hours."""
    return FRONT_DESK.format(back=_back(state)) if state.after_hours() else ""


def manager_rules(state: Call) -> str:
    """The manager's after-hours rules, or nothing during business hours."""
    if not state.after_hours():
        return ""
    message = (
        " or to take a message (`take_message`)" if state.settings.forms.forms_message_form else ""
    )
    return MANAGER.format(back=_back(state), message=message)
