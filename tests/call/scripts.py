"""What the scripted model does in the call tests: a plausible, rule-following model."""

from __future__ import annotations

from offline.scripted_llm import Request, Script, call, say

QUESTION = (
    "Hello! Thank you for calling Acme Corp. You're speaking with an AI assistant. "
    "This call will be recorded for quality assurance "
    "and training purposes. Do you consent to this recording?"
)
HOW_CAN_I_HELP = "How can I help you today?"
CONFIRM = "Just to confirm: may we record this call? Please say yes or no."
# A question about the recording: the model picks its topic, the settings' answer is spoken,
# then our fixed question again.
PURPOSE = "We record calls to check the quality of our service and to train our team."
ASK_AGAIN = "Sorry, I need a clear yes or no: may we record this call?"
ANSWERED = f"{PURPOSE} {ASK_AGAIN}"
ANSWER_WHY = call("answer_question", topic="why_we_record")


SPECIALIST_TOOLS = ("record_billing_issue", "open_support_ticket", "record_interest")


def at_front_desk(r: Request) -> bool:
    return r.offers("route_to") and not any(r.offers(t) for t in SPECIALIST_TOOLS)


def front_desk(script: Script | None = None) -> Script:
    s = script or Script()
    # After consent the front desk opens (no caller words yet): it asks how it can help.
    s.when(
        lambda r: at_front_desk(r) and not r.answering_user and r.last_tool_output is None,
        say(HOW_CAN_I_HELP),
    )
    return s


def at_consent(r: Request) -> bool:
    return r.offers("record_consent")
