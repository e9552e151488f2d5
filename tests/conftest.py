"""Shared fixtures: every store test and service test runs on every store.

The `postgres` variant needs a PostgreSQL server: the tests start a throwaway one
(devtools/pgserver.py) or use PREPBOT_TEST_DATABASE_URL. Without either, those
tests are skipped with one line saying so, unless PREPBOT_REQUIRE_POSTGRES is set (CI),
which makes them fail instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.ports import InspectableStore
from bot.storage.memory import MemoryStore
from bot.storage.postgres import PostgresStore
from bot.storage.sqlite import SqliteStore
from devtools import pgserver

PG_SKIPPED = pytest.StashKey[tuple[int, str]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = [item for item in items if item.get_closest_marker("postgres")]
    reason = pgserver.unavailable_reason() if wanted else None
    if reason is None or pgserver.required():
        return  # available, or required: the server fixture fails loudly
    config.stash[PG_SKIPPED] = (len(wanted), reason)
    skip = pytest.mark.skip(reason=reason)
    for item in wanted:
        item.add_marker(skip)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    skipped = config.stash.get(PG_SKIPPED, None)
    if skipped is not None:
        count, reason = skipped
        terminalreporter.write_line(
            f"SKIPPED {count} PostgreSQL tests: {reason}", yellow=True, bold=True
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pgserver.Server]:
    reason = pgserver.unavailable_reason()
    if reason is not None:
        if pgserver.required():
            pytest.fail(f"{pgserver.REQUIRE_ENV} is set but {reason}", pytrace=False)
        pytest.skip(reason)
    try:
        server = pgserver.start()
    except (RuntimeError, OSError, ValueError) as exc:
        pytest.fail(f"could not start PostgreSQL for the tests: {exc}", pytrace=False)
    try:
        yield server
    finally:
        if server.bindir is None and server.reset_sql:  # a server the tests did not start
            asyncio.run(pgserver.drop_schema(server))
        server.stop()


@pytest.fixture
async def postgres_url(postgres_server: pgserver.Server) -> AsyncIterator[str]:
    """The URL of a new, migrated database of its own for one test."""
    async with pgserver.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[InspectableStore]:
    opened: InspectableStore
    if request.param == "postgres":
        server: pgserver.Server = request.getfixturevalue("postgres_server")
        async with pgserver.fresh_database(server) as url:
            opened = await PostgresStore.open(url, max_connections=4)
            try:
                yield opened
            finally:
                await opened.close()
        return
    if request.param == "memory":
        opened = MemoryStore()
    else:
        opened = await SqliteStore.open(tmp_path / "prepbot.db")
    try:
        yield opened
    finally:
        await opened.close()
