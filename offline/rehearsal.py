"""The offline rehearsal's stand-in for the model: keyword-driven, clearly labeled.

With no LiveKit credentials, `python agent.py console` runs the real agents in text mode
on this stand-in, so a newcomer can walk every path of a call with no account: consent,
routing, each specialist's tools, the manager's grants and refusals, a transfer to a
person, a call back, the forms, the end of the call. It is not a model: what each agent
says and does is a table (`offline/rehearsal.yaml`, see `offline/rehearsal_table.py`), and
every line it speaks starts with "(rehearsal)". Consent itself is decided by the agents'
own code, as in a real call; so are grants, limits and where a transfer dials.
"""

from __future__ import annotations

import json
import string
from typing import Any

from call.analysis import ANALYSIS_TOOL
from offline.rehearsal_forms import form_reply
from offline.rehearsal_table import AgentLines, Intent, Table, load_table
from offline.scripted_llm import Reply, Request, ScriptedLLM, call, say

BANNER = """\
==============================================================================
 OFFLINE REHEARSAL: no LIVEKIT_API_KEY/LIVEKIT_API_SECRET set.
 The agents, consent, policies and the call's record are real; the model is a
 keyword stand-in whose lines start with (rehearsal). Things to type:
   consent   yes | no | why do you record? | maybe   (keypad 1/2: phone line only)
   billing   my bill is wrong -> invoice 1234, charged $40 twice -> I want a refund
   support   it crashes when I log in -> still crashes
   sales     I'd like to buy the pro plan -> yes   (the lead qualification form)
   manager   I want a manager -> credit 20 | refund 500 (above its limit)
   a person  I want a real person   (REHEARSAL_COLLEAGUE=answers|declines|
             voicemail|busy|no_answer: how the stand-in colleague answers)
   forms     start with FORMS_DEFAULT=customer_feedback (or patient_intake)
   the end   bye
 Logs go to {log}; --verbose shows them here. For the real models, set
 LiveKit credentials in .env.local.
==============================================================================
"""


def rehearsal_banner() -> str:
    """What the console says first; ValueError if REHEARSAL_COLLEAGUE is unknown."""
    from offline.console_screen import LOG_FILE
    from offline.human_line import colleague_behaviour

    colleague_behaviour()
    return BANNER.format(log=LOG_FILE)


class _Blank(dict[str, Any]):
    """Template values: a name with no value renders empty."""

    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, values: dict[str, Any]) -> str:
    text = string.Formatter().vformat(template, (), _Blank(values))
    return " ".join(text.split())


class Rehearsal:
    """The brain of the stand-in: one reply per model request, read from the table."""

    def __init__(self, table: Table | None = None) -> None:
        self.table = table or load_table()

    def __call__(self, r: Request) -> Reply:
        table = self.table
        if r.is_summary:  # a TaskGroup compressing its sub-conversation
            return self.line("Summary of the conversation so far.")
        if r.offers(ANALYSIS_TOOL):  # the call's analysis, after the call
            return self.analysis(r)
        if r.answering_user and table.hang_up.search(r.last_user_text):
            return self.line(table.goodbye)
        lines = table.agent_for(r.tool_names)
        if lines is not None:
            return self._turn(lines, r)
        in_form = form_reply(r, table.forms, lambda text, values: self.line(fill(text, values)))
        return in_form or self.line("Sorry, could you say that again?")

    def analysis(self, r: Request) -> Reply:
        """The call's analysis, as a stand-in writes it: how the call ended and what was
        done, read back from the request (a real model summarizes the conversation)."""
        label = self.table.label
        facts = r.last_user_text.split("\n\n")
        ended = facts[0].removeprefix("How the call ended: ")
        done = next((f for f in facts if f.startswith("What happened:")), "")
        kinds = [line.removeprefix("- ").split(":")[0] for line in done.splitlines()[1:]]
        summary = f"{label} The call ended: {ended}. Recorded: {', '.join(kinds) or 'nothing'}."
        verdict: dict[str, object] = {}
        if "Give a score" in r.instructions:
            verdict = {"score": 3, "reason": f"{label} A stand-in can't judge; 3 is a placeholder."}
        elif "Answer with passed" in r.instructions:
            verdict = {"passed": True, "reason": f"{label} A stand-in can't judge: a placeholder."}
        return call(ANALYSIS_TOOL, summary=summary, **verdict)

    def line(self, text: str) -> Reply:
        return say(f"{self.table.label} {text}")

    # -- one agent's turn --------------------------------------------------------------------

    def _turn(self, lines: AgentLines, r: Request) -> Reply:
        caller = r.caller_lines
        values: dict[str, Any] = {
            "said": caller[-1] if caller else "",
            "before": caller[-2] if len(caller) > 1 else "",
        }
        for pattern in lines.from_instructions.values():
            found = pattern.search(r.instructions)
            values.update({k: v for k, v in (found.groupdict() if found else {}).items() if v})

        output = r.last_tool_output
        if output is not None:
            made = r.call_of(output)
            name = made.name if made is not None else ""
            values.update(_arguments_of(made))
            if output.is_error:
                return self._refused(lines, output.output, values)
            values["output"] = output.output
            return self.line(fill(lines.after.get(name, "Done. Is there anything else?"), values))

        intents = lines.intents if r.answering_user else lines.enter
        for intent in intents:
            reply = self._intent(intent, r, values)
            if reply is not None:
                return reply
        fallback = lines.otherwise if r.answering_user else (lines.greeting or lines.otherwise)
        return self.line(fill(fallback or "How can I help?", values))

    def _intent(self, intent: Intent, r: Request, values: dict[str, Any]) -> Reply | None:
        said = values["said"]
        found = intent.when.search(said)
        if found is None or (intent.heard and not intent.heard.search(r.last_agent_text)):
            return None
        values = {**values, **{k: v for k, v in found.groupdict().items() if v}}
        for name, pattern in intent.extract.items():
            extracted = pattern.search(said)
            if extracted is not None:
                values[name] = next((g for g in extracted.groups() if g), extracted.group(0))
        if intent.call is not None:
            return call(intent.call, **_typed(intent, values, r.parameters(intent.call)))
        return self.line(fill(intent.say or "", values))

    def _refused(self, lines: AgentLines, error: str, values: dict[str, Any]) -> Reply:
        """A tool said no: say what the agent can offer instead; never the error itself."""
        for refusal in lines.refused:
            found = refusal.when.search(error) if refusal.when else None
            if refusal.when is None or found is not None:
                extra = found.groupdict() if found is not None else {}
                return self.line(fill(refusal.say, {**values, **extra}))
        return self.line("I'm sorry, I can't do that here. Is there something else I can do?")


def _arguments_of(made: Any) -> dict[str, Any]:
    try:
        arguments = json.loads(made.arguments or "{}") if made is not None else {}
    except ValueError:
        return {}
    return arguments if isinstance(arguments, dict) else {}


def _typed(intent: Intent, values: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The intent's arguments, filled in and typed by the tool's schema (empty ones left out)."""
    properties: dict[str, Any] = schema.get("properties") or {}
    arguments: dict[str, Any] = {}
    for name, template in intent.args.items():
        text = fill(template, values).strip().strip("/").strip()
        if not text:
            continue
        spec = properties.get(name) or {}
        kinds = {spec.get("type")} | {o.get("type") for o in spec.get("anyOf") or []}
        try:
            if "integer" in kinds:
                arguments[name] = int(float(text))
            elif "number" in kinds:
                arguments[name] = float(text)
            else:
                arguments[name] = text
        except ValueError:
            continue  # not a number: left out, as a model would leave out what it didn't hear
    return arguments


def rehearsal_llm() -> ScriptedLLM:
    return ScriptedLLM(Rehearsal(), label="rehearsal")
