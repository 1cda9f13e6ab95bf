"""The rehearsal's table stays true to the product, and its stand-in never reads a tool's
error aloud, whatever the error says.

The terminal tests (tests/test_rehearsal.py) walk each path; these check the whole table
at once: a tool renamed in an agent fails here, not in a newcomer's first ten minutes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from livekit.agents import llm
from livekit.agents.beta.workflows import WarmTransferTask
from livekit.agents.llm.tool_context import find_function_tools

from agents.customer_service import CustomerServiceAgent
from agents.manager import ManagerAgent
from agents.specialists import BillingAgent, SalesAgent, SupportAgent
from offline.rehearsal import Rehearsal
from offline.rehearsal_table import TABLE_FILE, TableError, load_table
from offline.scripted_llm import Request
from tasks.consent import CollectConsent

AGENTS = {
    "consent question": CollectConsent,
    "billing": BillingAgent,
    "support": SupportAgent,
    "sales": SalesAgent,
    "front desk": CustomerServiceAgent,
    "manager": ManagerAgent,
    "briefing": WarmTransferTask,
}
TABLE = load_table()


def _tools(cls: type) -> set[str]:
    return {tool.info.name for tool in find_function_tools(cls)}


@pytest.mark.parametrize("lines", TABLE.agents, ids=lambda lines: lines.name)
def test_every_tool_the_table_names_is_one_its_agent_has(lines) -> None:
    has = _tools(AGENTS[lines.name])
    named = {lines.known_by, *lines.after}
    named |= {intent.call for intent in [*lines.enter, *lines.intents] if intent.call}
    assert named - has == set()


def test_each_agent_is_known_by_a_tool_no_agent_listed_before_it_has() -> None:
    for i, lines in enumerate(TABLE.agents):
        for earlier in TABLE.agents[:i]:
            assert earlier.known_by not in _tools(AGENTS[lines.name]), (lines.name, earlier.name)


def test_a_mistake_in_the_table_names_the_entry_and_the_problem(tmp_path: Path) -> None:
    broken = tmp_path / "rehearsal.yaml"
    text = TABLE_FILE.read_text()
    broken.write_text(text.replace("call: route_to", "call: route_to\n        say: both", 1))
    with pytest.raises(TableError, match=r"agents\.1\.intents\.\d+: .*exactly one of say or call"):
        load_table(broken)


def _after_a_refusal(tool: str, offered: tuple[str, ...], error: str) -> Request:
    ctx = llm.ChatContext.empty()
    ctx.add_message(role="user", content="please do it")
    ctx.insert(llm.FunctionCall(name=tool, arguments="{}", call_id="call_1"))
    ctx.insert(llm.FunctionCallOutput(name=tool, call_id="call_1", output=error, is_error=True))
    return Request(chat_ctx=ctx, tool_names=offered, tool_choice=None)


OFFERED = [(a.known_by,) for a in TABLE.agents] + [("record_rating", "decline_rating")]
ERRORS = st.text(min_size=12).filter(lambda e: len(re.sub(r"\W", "", e)) >= 8)


@settings(max_examples=200, deadline=None)
@given(offered=st.sampled_from(OFFERED), error=ERRORS)
def test_a_tools_error_is_never_read_aloud(offered: tuple[str, ...], error: str) -> None:
    reply = Rehearsal()(_after_a_refusal(offered[0], offered, error))
    assert reply.calls == ()
    assert reply.text is not None and reply.text.startswith("(rehearsal) ")
    assert error.strip() not in reply.text


def test_the_manager_offers_what_is_left_of_its_authority_not_the_error() -> None:
    error = (
        "A refund of 500.00 USD is above your authority: at most 200.00 USD more on this "
        "call. Offer up to that, or a transfer to a person."
    )
    reply = Rehearsal()(_after_a_refusal("issue_refund", ("issue_credit",), error))
    assert reply.text == (
        "(rehearsal) I'm sorry, that's more than I can grant on this call. I can offer up to "
        "200.00 USD, or put you through to a colleague."
    )
