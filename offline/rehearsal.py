"""The offline rehearsal's stand-in for the model: keyword-driven, clearly labeled.

With no LiveKit credentials, `python agent.py console` runs the real agents in text mode
on this stand-in, so a newcomer can walk consent -> triage -> specialist -> manager with
no account. It is not a model: it reacts to keywords, and every line it speaks starts
with "(rehearsal)". Consent itself is decided by the agents' own code, as in a real call.
"""

from __future__ import annotations

import re

from call.analysis import ANALYSIS_TOOL
from offline.scripted_llm import Reply, Request, ScriptedLLM, call, say

LABEL = "(rehearsal)"

BANNER = f"""\
==============================================================================
 OFFLINE REHEARSAL: no LIVEKIT_API_KEY/LIVEKIT_API_SECRET set.
 The agents, consent task and policies are real; the model is a keyword-driven
 stand-in whose lines start with {LABEL}. Try: "yes" -> "my bill is wrong" ->
 "I want a manager" -> "credit 20 please". Set LiveKit credentials in .env.local
 to talk to the real models.
==============================================================================
"""

_DEPARTMENTS = (
    ("billing", r"\b(bill|billing|invoice|charge[ds]?|payment|refund|overcharged)\b"),
    ("support", r"\b(broken|not working|doesn'?t work|error|crash|bug|help with|fix)\b"),
    ("sales", r"\b(buy|price|pricing|plan|upgrade|purchase|quote|demo)\b"),
)
_AMOUNT = re.compile(r"(\d+(?:\.\d{1,2})?)")


def _line(text: str) -> Reply:
    return say(f"{LABEL} {text}")


def rehearsal_brain(r: Request) -> Reply:
    words = r.last_user_text.lower() if r.answering_user else ""
    output = r.last_tool_output

    if r.is_summary:
        return _line("Summary of the conversation so far.")
    if r.offers(ANALYSIS_TOOL):
        return _analysis(r)
    if output is not None:
        return _line(output.output if not output.is_error else f"I can't do that: {output.output}")

    if r.offers("record_consent"):
        return _line("Sorry, I need a clear yes or no: may we record this call?")

    if r.offers("issue_credit"):
        amount = _AMOUNT.search(words)
        if amount and "refund" in words:
            return call("issue_refund", amount=float(amount.group(1)), reason="rehearsal")
        if amount:
            return call("issue_credit", amount=float(amount.group(1)), reason="rehearsal")
        if not words:
            return _line("I'm the manager. I've read your conversation. How can I make it right?")
        return _line("I can offer a credit or a refund. Say, for example, 'credit 20'.")

    if r.offers("route_to"):
        current = _current_department(r)
        if not words:
            return _line(_GREETINGS.get(current or "", "How can I help you today?"))
        for department, pattern in _DEPARTMENTS:
            if department != current and re.search(pattern, words):
                return call("route_to", department=department)
        return _line("Tell me more: is it about a bill, something not working, or buying?")

    return _line("I'm only a rehearsal stand-in; say 'yes', 'my bill', or 'manager'.")


def _analysis(r: Request) -> Reply:
    """The call's analysis, as a stand-in writes it: how the call ended and what was done,
    read back from the request (a real model summarizes the conversation)."""
    facts = r.last_user_text.split("\n\n")
    ended = facts[0].removeprefix("How the call ended: ")
    done = next((f for f in facts if f.startswith("What happened:")), "")
    kinds = [line.removeprefix("- ").split(":")[0] for line in done.splitlines()[1:]]
    summary = f"{LABEL} The call ended: {ended}. Recorded: {', '.join(kinds) or 'nothing'}."
    verdict: dict[str, object] = {}
    if "Give a score" in r.instructions:
        verdict = {"score": 3, "reason": f"{LABEL} A stand-in can't judge; 3 is a placeholder."}
    elif "Answer with passed" in r.instructions:
        verdict = {"passed": True, "reason": f"{LABEL} A stand-in can't judge; a placeholder."}
    return call(ANALYSIS_TOOL, summary=summary, **verdict)


_OWN_TOOL = {
    "billing": "record_billing_issue",
    "support": "open_support_ticket",
    "sales": "record_interest",
}
_GREETINGS = {
    "billing": "Billing here. I see you have a question about a charge. What's the amount?",
    "support": "Support here. Let's fix that. What happens when you try?",
    "sales": "Sales here. What are you looking to buy?",
}


def _current_department(r: Request) -> str | None:
    for department, tool in _OWN_TOOL.items():
        if r.offers(tool):
            return department
    return None


def rehearsal_llm() -> ScriptedLLM:
    return ScriptedLLM(rehearsal_brain, label="rehearsal")
