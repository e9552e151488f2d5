"""answer_path and leaderboard_1m on PostgreSQL (figures `answer_path_pg.*`,
`leaderboard_1m_pg.p95_ms`), the same workloads as on SQLite.

The server is PREPBOT_BENCH_DATABASE_URL's (its user must be allowed to create a schema;
the benchmark's own is dropped afterwards), else the throwaway one the tests start
(devtools.pgserver: Debian's postgresql package, durability off). Without either, one line
on stderr says why and the PostgreSQL figures are left out.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bench.answers import answer_path, emit_answer_path
from bench.common import emit
from bench.leaderboard import leaderboard_timings, p95, populate
from bot.storage.copy import copy_database
from bot.storage.postgres import PostgresStore
from devtools import pgserver

URL_ENV = "PREPBOT_BENCH_DATABASE_URL"


@asynccontextmanager
async def bench_server() -> AsyncIterator[pgserver.Server | None]:
    """The server to measure on, or None after saying why there is none."""
    given = os.environ.get(URL_ENV)
    if given:
        server = pgserver.Server(url=given, schema=f"prepbot_bench_{os.getpid()}")
    else:
        reason = pgserver.unavailable_reason()
        if reason is None:
            try:
                server = pgserver.start()
            except (RuntimeError, OSError) as exc:
                reason = f"could not start PostgreSQL: {exc}"
        if reason is not None:
            print(f"# PostgreSQL benchmarks skipped: {reason}; or set {URL_ENV}",
                  file=sys.stderr)
            emit("postgres.available", 0, "flag")
            yield None
            return
    emit("postgres.available", 1, "flag")
    try:
        yield server
    finally:
        if server.bindir is None and server.reset_sql:  # a server we did not start
            await pgserver.drop_schema(server)
        server.stop()


async def bench_postgres() -> None:
    async with bench_server() as server:
        if server is None:
            return
        async with pgserver.fresh_database(server) as url:
            store = await PostgresStore.open(url)
            try:
                per_s, latencies, rate = await answer_path(store, sustainable=True)
            finally:
                await store.close()
        emit_answer_path("answer_path_pg", per_s, latencies)
        emit("answer_path_pg.steady_rate", rate, "answers/s")

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "board.db"
            await populate(path)
            async with pgserver.fresh_database(server) as url:
                # Loaded the way a real move would be: `prepbot db copy` from SQLite.
                begin = time.perf_counter()
                copied = await copy_database(f"sqlite:///{path}", url)
                emit("db_copy_1m.rows_per_s", copied.total / (time.perf_counter() - begin),
                     "rows/s")
                store = await PostgresStore.open(url)
                try:
                    # Fresh statistics for the planner, as autovacuum would gather soon after.
                    await store.execute("ANALYZE")
                    timings = await leaderboard_timings(store)
                finally:
                    await store.close()
        emit("leaderboard_1m_pg.p95_ms", p95(timings), "ms")
