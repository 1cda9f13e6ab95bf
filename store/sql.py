"""The dialect shim: every statement is written once, in one SQL for SQLite and PostgreSQL.

Write statements with named parameters (`:name`), `IN :ids` for a list, and these words
in braces where the two databases differ:

    {BIGINT} {TIMESTAMP} {SERIAL_KEY}   column types (migrations)
    {FOR_UPDATE}                        lock rows read to be updated (PostgreSQL only:
                                        SQLite's writer already holds the whole file)
    {SKIP_LOCKED}                       ...and pass over rows another sender holds

`Dialect.render` turns that into what the driver takes: `%(name)s` for psycopg, and
timestamps as fixed-width UTC text for SQLite, whose columns hold text (base.format_ts).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.base import format_ts

Row = dict[str, Any]
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Dialect:
    words: Mapping[str, str]
    named_param: str  # how the driver spells parameter `name`
    timestamps_as_text: bool

    def render(self, query: str, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        values: dict[str, Any] = {}

        def param(match: re.Match[str]) -> str:
            name = match.group(1)
            value = params[name]
            if not isinstance(value, list | tuple):
                values[name] = value
                return self.named_param.format(name)
            if not value:  # `IN :ids` with no ids: matches nothing
                return "(NULL)"
            names = [f"{name}_{i}" for i in range(len(value))]  # one parameter per item
            values.update(zip(names, value, strict=True))
            return "(" + ", ".join(self.named_param.format(n) for n in names) + ")"

        text = query.format_map(self.words)
        if "%" in self.named_param:
            text = text.replace("%", "%%")
        text = _PARAM.sub(param, text)
        if self.timestamps_as_text:
            values = {k: format_ts(v) if isinstance(v, datetime) else v for k, v in values.items()}
        return text, values


SQLITE = Dialect(
    words={
        "BIGINT": "INTEGER",  # INTEGER PRIMARY KEY is SQLite's rowid: keep the word
        "TIMESTAMP": "TEXT",
        "SERIAL_KEY": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "FOR_UPDATE": "",
        "SKIP_LOCKED": "",
    },
    named_param=":{}",
    timestamps_as_text=True,
)

POSTGRES = Dialect(
    words={
        "BIGINT": "BIGINT",
        "TIMESTAMP": "TIMESTAMPTZ",
        "SERIAL_KEY": "BIGSERIAL PRIMARY KEY",
        "FOR_UPDATE": "FOR UPDATE",
        "SKIP_LOCKED": "FOR UPDATE OF o SKIP LOCKED",
    },
    named_param="%({})s",
    timestamps_as_text=False,
)

Run = Callable[[str, dict[str, Any], bool], Awaitable[Sequence[Row] | int]]


class Tx:
    """Statements on one connection (in a transaction, or each on its own: see the store).
    `run(sql, params, fetch)` is the backend's: rows as dicts when fetching, else the
    number of rows changed."""

    def __init__(self, dialect: Dialect, run: Run) -> None:
        self._dialect = dialect
        self._run = run

    async def fetch(self, query: str, **params: Any) -> list[Row]:
        rows = await self._run(*self._dialect.render(query, params), True)
        assert not isinstance(rows, int)
        return list(rows)

    async def execute(self, query: str, **params: Any) -> int:
        count = await self._run(*self._dialect.render(query, params), False)
        assert isinstance(count, int)
        return count
