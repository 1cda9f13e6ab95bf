"""A plausible, rule-following model for the form calls, and what the tests read back."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from call.analysis import SUMMARY_MARKER
from forms.model import Form
from forms.schema import payload_schema, results_schema
from offline.scripted_llm import Reply, Request, Script, call, say
from tests.harness import OfflineCall

SUMMARY = "The caller gave all the answers the form asked for."


def asking(r: Request, tool: str) -> bool:
    """A field's task opens (or a rejected value came back): the model asks its question."""
    if not r.offers(tool):
        return False
    if r.answering_user:
        return False
    out = r.last_tool_output
    return out is None or out.is_error


def form_model(script: Script | None = None) -> Script:
    """Rules every form call shares: the summary request gets a summary."""
    s = script or Script()
    s.when(lambda r: SUMMARY_MARKER in r.instructions, say(SUMMARY), name="summary")
    return s


def ask(s: Script, tool: str, question: str) -> Script:
    return s.when(lambda r: asking(r, tool), say(question), name=f"ask {tool}")


def answer(s: Script, tool: str, pattern: str, reply: Reply | None = None, **args: Any) -> Script:
    """When the caller's words match `pattern` while `tool` is offered, call it with `args`."""
    return s.when(
        lambda r: r.offers(tool) and r.user_said(pattern),
        reply if reply is not None else call(tool, **args),
        name=f"{tool} on {pattern!r}",
    )


async def stored_payloads(c: OfflineCall) -> list[dict[str, Any]]:
    await c.settle()
    payloads = []
    for listed in await c.store.outbox_rows():
        row = await c.store.outbox_row(listed.webhook_id)  # the listing leaves out the payload
        assert row is not None
        payloads.append(json.loads(row.payload))
    return payloads


async def the_payload(c: OfflineCall) -> dict[str, Any]:
    payloads = await stored_payloads(c)
    assert len(payloads) == 1, f"expected one stored record, got {len(payloads)}"
    return payloads[0]


def assert_matches_schema(payload: dict[str, Any], form: Form) -> None:
    """The payload passes the schemas an integrator would validate against."""
    jsonschema.Draft202012Validator(payload_schema(form)).validate(payload)
    schema = results_schema(form, partial=payload["status"] != "complete")
    jsonschema.Draft202012Validator(schema).validate(payload["results"])


def heard(c: OfflineCall) -> list[str]:
    """Everything the caller heard on the call, in order (from the session's history)."""
    return [
        item.text_content or ""
        for item in c.session.history.items
        if item.type == "message" and item.role == "assistant"
    ]


def is_summary_request(r: Request) -> bool:
    return SUMMARY_MARKER in r.instructions
