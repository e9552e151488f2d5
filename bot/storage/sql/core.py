"""Store operations written once for both SQL dialects, as scripts a store runs.

An operation that needs several statements is a generator (a `Script`) that yields
`Statement`s and is sent each one's result. The SQLite store runs a whole script
synchronously on its database thread (one hop, inside its batched commit); the
PostgreSQL store awaits each statement on one pooled connection. So the control flow of
every write lives here once, and a store only says how to run a statement and where the
transaction is (`_read`, `_write`).

SQL uses `?` placeholders (the PostgreSQL store numbers them); where the dialects differ
in a clause, `Dialect` supplies it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar, cast

from bot.domain.models import ChatKey, UserKey
from bot.errors import NotFoundError
from bot.storage.sql.codecs import Row, _ck, _uk

T = TypeVar("T")


class Fetch(Enum):
    """What a statement's runner hands back to the script."""

    ROWCOUNT = "rowcount"  # rows the statement changed
    ONE = "one"  # the first row, or None
    ALL = "all"  # every row
    MANY = "many"  # executemany over `params` (a sequence of rows); None
    NEW_ID = "new_id"  # an INSERT's new row id, or None when it inserted nothing


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement for the store to run, and what to send back to the script."""

    fetch: Fetch
    sql: str
    params: Sequence[Any]


#: A store operation: yields statements, receives their results, returns its value.
Script = Generator[Statement, Any, T]


@dataclass(frozen=True, slots=True)
class Dialect:
    """The clauses the two dialects spell differently."""

    name: str
    #: Appended to a SELECT whose rows the transaction then changes: PostgreSQL locks
    #: them and skips rows another process holds; one process owns an SQLite file.
    skip_locked: str = ""

    def lock(self, table: str) -> str:
        """` FOR UPDATE OF table SKIP LOCKED` where the dialect has it."""
        return self.skip_locked.format(table=table)


SQLITE = Dialect("sqlite")
POSTGRES = Dialect("postgres", " FOR UPDATE OF {table} SKIP LOCKED")

_PLACEHOLDER = re.compile(r"\?")


@lru_cache(maxsize=2048)
def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, ...` (the shared SQL has no `?` literals)."""
    counter = itertools.count(1)
    return _PLACEHOLDER.sub(lambda _match: f"${next(counter)}", sql)


def marks(count: int) -> str:
    """`?, ?, ?` for an IN list of `count` values."""
    return ", ".join("?" * count)


# --- the statements a script yields --------------------------------------------------
def execute(sql: str, *params: Any) -> Script[int]:
    """Run a statement; how many rows it changed."""
    return cast(int, (yield Statement(Fetch.ROWCOUNT, sql, params)))


def execute_many(sql: str, rows: Sequence[Sequence[Any]]) -> Script[None]:
    """Run a statement once per parameter row (nothing when there are none)."""
    if rows:
        yield Statement(Fetch.MANY, sql, rows)


def insert(sql: str, *params: Any) -> Script[int | None]:
    """Run an INSERT of at most one row into a table with an `id` key: the new row's id,
    or None when it inserted nothing (a conflict, or a SELECT that found no row).

    SQLite reads the id from the connection (a RETURNING clause costs it more than the
    insert itself); PostgreSQL appends `RETURNING id`.
    """
    return cast("int | None", (yield Statement(Fetch.NEW_ID, sql, params)))


def fetch_one(sql: str, *params: Any) -> Script[Row | None]:
    """The statement's first row, or None."""
    return cast("Row | None", (yield Statement(Fetch.ONE, sql, params)))


def fetch_all(sql: str, *params: Any) -> Script[list[Row]]:
    """Every row of the statement."""
    return cast("list[Row]", (yield Statement(Fetch.ALL, sql, params)))


USER_PK = "SELECT id FROM users WHERE platform = ? AND user_id = ?"
CHAT_PK = "SELECT id FROM chats WHERE platform = ? AND chat_id = ?"
#: The internal id of the user or chat whose key the next two parameters give.
USER_REF = f"({USER_PK})"
CHAT_REF = f"({CHAT_PK})"


def user_pk(key: UserKey) -> Script[int]:
    """The user's internal id; NotFoundError for an unknown user."""
    row = yield from fetch_one(USER_PK, *_uk(key))
    if row is None:
        raise NotFoundError(f"unknown user {key}")
    return int(row[0])


def chat_pk(key: ChatKey) -> Script[int]:
    """The chat's internal id; NotFoundError for an unknown chat."""
    row = yield from fetch_one(CHAT_PK, *_ck(key))
    if row is None:
        raise NotFoundError(f"unknown chat {key}")
    return int(row[0])


class SqlCore:
    """What the aggregate parts build on: a dialect and two ways to run a script.

    `_read` runs a script outside any write transaction (its statements may see
    different commits on PostgreSQL, as separate reads would); `_write` runs it in ONE
    transaction that an exception rolls back.
    """

    dialect: Dialect

    async def _read(self, script: Script[T]) -> T:
        raise NotImplementedError

    async def _write(self, script: Script[T]) -> T:
        raise NotImplementedError

    async def _one(self, sql: str, *params: Any) -> Row | None:
        return await self._read(fetch_one(sql, *params))

    async def _all(self, sql: str, *params: Any) -> list[Row]:
        return await self._read(fetch_all(sql, *params))
