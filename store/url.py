"""DATABASE_URL, read in one place: which backend, and what it needs to connect.

    url = parse_database_url("postgresql://agent@db/calls?schema=phone_agent")
    url.backend, url.conninfo, url.schema   # "postgres", "postgresql://agent@db/calls", ...

`sqlite:///relative/path.db` or `sqlite:////absolute/path.db` names a file;
`postgresql://` (or `postgres://`) a server, where `?schema=name` is ours (every table in
that schema) and any other query parameter is libpq's (`sslmode=require`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SQLITE = "sqlite:///"
POSTGRES = ("postgresql://", "postgres://")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class DatabaseURL:
    backend: Literal["sqlite", "postgres"]
    path: str = ""  # sqlite: the database file
    conninfo: str = ""  # postgres: the URL for libpq, without `schema`
    schema: str | None = None  # postgres: where the tables are (None: the search_path)


def parse_database_url(url: str) -> DatabaseURL:
    """The parts of a DATABASE_URL; ValueError saying how to fix one that is wrong."""
    if url.startswith(SQLITE):
        path = url.removeprefix(SQLITE).split("?", 1)[0]
        if not path:
            raise ValueError("the SQLite URL names no file: use sqlite:///data/calls.db")
        return DatabaseURL("sqlite", path=path)
    if url.startswith(POSTGRES):
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        schema = dict(query).get("schema")  # the last one, as libpq would
        if schema is not None and not _SCHEMA_NAME.match(schema):
            raise ValueError(
                "the schema in the database URL must be lower-case letters, digits and _, "
                "starting with a letter or _ (at most 63 characters)"
            )
        kept = urlencode([(key, value) for key, value in query if key != "schema"])
        conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, kept, ""))
        return DatabaseURL("postgres", conninfo=conninfo, schema=schema)
    raise ValueError(
        "a database URL must start with sqlite:/// (a file) or postgresql:// (a server), "
        f"got {url.split(':', 1)[0]!r}"
    )


def display_url(url: str) -> str:
    """The URL without password or query (a password may hide in either); works on any
    text, so it can name a URL that `parse_database_url` refused."""
    if not url.startswith(POSTGRES):
        return url.split("?", 1)[0]
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port that isn't a number: the reason says so
        port = ":" + parts.netloc.rsplit(":", 1)[-1]
    return f"{parts.scheme}://{user}{parts.hostname or ''}{port}{parts.path}"
