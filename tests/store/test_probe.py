"""The one line a process prints when its store can't be used: which store, why, what to
check; never a password, whatever the URL looks like."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from store.probe import store_problem


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = refused_port()
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=12)
passwords = st.text(  # "~" never appears in names: a password can't match one by chance
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=8
).map(lambda text: f"~{text}")


@settings(max_examples=40, deadline=None)
@given(user=names, password=passwords, database=names, query=st.sampled_from(["", "?schema=x"]))
def test_an_unreachable_server_is_one_line_without_the_password(
    user: str, password: str, database: str, query: str
) -> None:
    url = f"postgresql://{user}:{quote(password, safe='')}@127.0.0.1:{PORT}/{database}{query}"

    problem = asyncio.run(store_problem(url))

    assert problem is not None and "\n" not in problem
    assert problem.startswith(f"cannot use the store at postgresql://{user}@127.0.0.1:{PORT}/")
    assert "Connection refused" in problem
    assert password not in problem and quote(password, safe="") not in problem


def test_a_store_that_opens_has_no_problem(tmp_path) -> None:
    assert asyncio.run(store_problem(f"sqlite:///{tmp_path / 'data' / 'calls.db'}")) is None
    assert (tmp_path / "data" / "calls.db").is_file()  # created, like the worker would
