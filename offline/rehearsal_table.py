"""The rehearsal's table (`offline/rehearsal.yaml`): its shape, checked when it is loaded.

A mistake in the table (an unknown key, a pattern that doesn't compile, an intent with no
reply) stops the rehearsal at start with the path of the entry and what is wrong.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

TABLE_FILE = Path(__file__).with_name("rehearsal.yaml")


def _compile(value: Any) -> Any:
    return re.compile(value, re.IGNORECASE) if isinstance(value, str) else value


Pattern = Annotated[re.Pattern[str], BeforeValidator(_compile)]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Intent(_Entry):
    """When the caller's words match `when` (and the agent's last line matches `heard`):
    say words or call a tool."""

    when: Pattern
    heard: Pattern | None = None
    extract: dict[str, Pattern] = {}
    say: str | None = None
    call: str | None = None
    args: dict[str, str] = {}

    @model_validator(mode="after")
    def _one_reply(self) -> Intent:
        if (self.say is None) == (self.call is None):
            raise ValueError("give exactly one of say or call")
        if self.args and self.call is None:
            raise ValueError("args go with call")
        return self


class Refusal(_Entry):
    """What to say when a tool refused (its error is never read aloud)."""

    when: Pattern | None = None
    say: str


class AgentLines(_Entry):
    name: str
    known_by: str
    from_instructions: dict[str, Pattern] = {}
    enter: list[Intent] = []
    greeting: str | None = None
    intents: list[Intent] = []
    after: dict[str, str] = {}
    refused: list[Refusal] = []
    otherwise: str | None = None


class FormLines(_Entry):
    decline: Pattern
    finish_list: Pattern
    affirm: Pattern
    deny: Pattern
    ask: str
    ask_again: str
    summary: str
    collectors: dict[str, str]
    numbers: list[str]
    months: list[list[str]]


class SipFailure(_Entry):
    sip: int
    status: str


class HumanLine(_Entry):
    number: str
    trunk: str
    colleague: dict[str, list[str] | SipFailure]


class Table(_Entry):
    label: str
    hang_up: Pattern
    goodbye: str
    agents: list[AgentLines]
    forms: FormLines
    human_line: HumanLine

    def agent_for(self, offered: tuple[str, ...]) -> AgentLines | None:
        """The agent that is active: the first whose own tool is offered."""
        return next((a for a in self.agents if a.known_by in offered), None)


class TableError(ValueError):
    pass


@functools.cache
def load_table(path: Path = TABLE_FILE) -> Table:
    try:
        return Table.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise TableError(f"{path}: {problems}") from None
    except (OSError, yaml.YAMLError) as exc:
        raise TableError(f"{path}: {exc}") from None
