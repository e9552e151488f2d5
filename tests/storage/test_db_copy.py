"""`prepbot db copy`: a console-mode SQLite database moves to PostgreSQL and back, and
the bot carries on there with the same streaks, stats and leaderboards."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fsrs import Scheduler

from bot.adapters.console import ConsoleSession
from bot.cli import main
from bot.domain.models import ChatKey, UserKey
from bot.errors import ConfigError, StoreError
from bot.grading.lexical import LexicalGrader
from bot.ports import Store
from bot.services import Services, build_services
from bot.storage import copy as copy_module
from bot.storage.copy import TABLES, TargetNotEmptyError, TerminalProgress, copy_database
from bot.storage.postgres import PostgresStore
from bot.storage.sqlite import SqliteStore
from devtools import pgserver
from tests.factories import ALICE, BOB, CHAT, GOOD, PARTIAL, FakeClock, bank, open_deck
from tests.storage.test_postgres import SECRET, with_password

TESTER = UserKey("console", "tester")
DAYS = 3


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_services(store: Store, clock: FakeClock) -> Services:
    return build_services(
        store,
        bank(open_deck("dl", 6)),
        clock,
        LexicalGrader(),
        scheduler=Scheduler(enable_fuzzing=False),
    )


async def console(services: Services, text: str, user: str = "tester") -> str:
    out = io.StringIO()
    session = ConsoleSession(services, io.StringIO(text), out, user_id=user, width=200)
    assert await session.run() == 0
    return out.getvalue()


async def console_database(path: Path, clock: FakeClock) -> None:
    """What the console mode leaves behind after a few days of practice (plus a group)."""
    store = await SqliteStore.open(path)
    try:
        services = make_services(store, clock)
        for _ in range(DAYS):
            out = await console(services, f"{GOOD}\n\n/quiz dl 2\n{GOOD}\n\n{PARTIAL}\n\n/quit\n")
            assert "CORRECT" in out and "Quiz finished" in out
            clock.advance(days=1)
        await console(services, f"{PARTIAL}\n\n/report the wording is unclear\n/quit\n", "friend")
        await services.daily.today(CHAT)
        await services.answers.answer(ALICE, CHAT, GOOD)
        await services.answers.answer(BOB, CHAT, PARTIAL)
        assert await services.marks.hint_due(CHAT, BOB)  # something shown once
    finally:
        await store.close()


async def views(services: Services) -> tuple[object, ...]:
    """What a user sees of their progress: streak, stats and the boards."""
    return (
        await services.stats.streak(TESTER),
        await services.stats.stats(TESTER),
        await services.leaderboards.leaderboard(ChatKey("console", "tester"), TESTER, "all"),
        await services.leaderboards.leaderboard(CHAT, ALICE, "week"),
        await services.leaderboards.leaderboard(CHAT, BOB, "all"),
    )


def table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.mark.postgres
async def test_console_database_moves_to_postgres_and_back(
    tmp_path: Path,
    postgres_server: pgserver.Server,
    postgres_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = FakeClock()
    source = tmp_path / "console.db"
    await console_database(source, clock)
    sqlite_store = await SqliteStore.open(source)
    before = await views(make_services(sqlite_store, clock))
    await sqlite_store.close()
    streak = before[0]
    assert getattr(streak, "current", None) == DAYS

    # Trust authentication ignores a password, so one the test server never asks for shows
    # that none is printed.
    target = postgres_url
    if postgres_server.bindir is not None and urlsplit(target).password is None:
        target = with_password(target)
    assert await asyncio.to_thread(main, ["db", "copy", sqlite_url(source), target]) == 0
    err = capsys.readouterr().err
    total = sum(table_counts(source).values())
    assert f"copied {total} rows in {len(TABLES)} tables" in err
    assert SECRET not in err

    store = await PostgresStore.open(postgres_url, max_connections=4)
    try:
        services = make_services(store, clock)
        assert await views(services) == before
        assert not await services.marks.hint_due(CHAT, BOB)  # shown once, before the copy
        # The bot carries on: new rows get new ids (the sequences moved past the copied ones).
        out = await console(services, f"{GOOD}\n\n/quiz dl 1\n{GOOD}\n\n/quit\n")
        assert "CORRECT" in out and "Quiz finished" in out
        streak_after = await services.stats.streak(TESTER)
        assert streak_after.current == DAYS + 1
        stats_after = await services.stats.stats(TESTER)
        assert stats_after.answered == getattr(before[1], "answered", 0) + 2
        after = await views(services)
    finally:
        await store.close()

    # A non-empty target is refused (exit 2) unless --force.
    assert await asyncio.to_thread(main, ["db", "copy", sqlite_url(source), target]) == 2
    err = capsys.readouterr().err
    assert "is not empty" in err and "--force" in err and SECRET not in err

    back = tmp_path / "back.db"
    result = await copy_database(postgres_url, sqlite_url(back))
    counts = table_counts(source)
    assert result.rows["answers"] == counts["answers"] + 2
    assert result.rows["quiz_sessions"] == counts["quiz_sessions"] + 1
    assert result.rows == table_counts(back)
    back_store = await SqliteStore.open(back)
    try:
        assert await views(make_services(back_store, clock)) == after
    finally:
        await back_store.close()

    assert await asyncio.to_thread(
        main, ["db", "copy", "--force", sqlite_url(source), target]
    ) == 0
    store = await PostgresStore.open(postgres_url, max_connections=2)
    try:
        assert await views(make_services(store, clock)) == before
    finally:
        await store.close()


async def test_sqlite_to_sqlite_copy_in_batches_keeps_everything(tmp_path: Path) -> None:
    clock = FakeClock()
    source, target = tmp_path / "a.db", tmp_path / "b.db"
    await console_database(source, clock)

    class Recorder:
        def __init__(self) -> None:
            self.total = 0
            self.batches: list[tuple[str, int]] = []

        def start(self, total: int) -> None:
            self.total = total

        def advance(self, table: str, rows: int) -> None:
            self.batches.append((table, rows))

    recorder = Recorder()
    result = await copy_database(
        sqlite_url(source), sqlite_url(target), batch_rows=2, progress=recorder
    )
    counts = table_counts(source)
    assert result.rows == counts == table_counts(target)
    assert counts["marks"] == 1
    assert recorder.total == sum(counts.values()) == result.total
    answer_batches = [rows for table, rows in recorder.batches if table == "answers"]
    assert len(answer_batches) > 1 and max(answer_batches) == 2
    assert sum(answer_batches) == counts["answers"]
    store = await SqliteStore.open(target)
    try:
        assert (await make_services(store, clock).stats.streak(TESTER)).current == DAYS
    finally:
        await store.close()


async def test_copy_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    clock = FakeClock()
    source, target = tmp_path / "a.db", tmp_path / "b.db"
    await console_database(source, clock)
    await copy_database(sqlite_url(source), sqlite_url(target))
    with pytest.raises(TargetNotEmptyError, match="users"):
        await copy_database(sqlite_url(source), sqlite_url(target))
    with pytest.raises(ConfigError, match="same database"):
        await copy_database(sqlite_url(source), f"sqlite:///{tmp_path}/./a.db")
    with pytest.raises(ConfigError, match="in-memory"):
        await copy_database(sqlite_url(source), "memory://")
    with pytest.raises(StoreError, match="no database at"):
        await copy_database(sqlite_url(tmp_path / "missing.db"), sqlite_url(tmp_path / "c.db"))

    # While a bot has the target open, the copy is refused rather than writing under it.
    running = await SqliteStore.open(target)
    try:
        with pytest.raises(StoreError):
            await copy_database(sqlite_url(source), sqlite_url(target), force=True)
    finally:
        await running.close()

    # A source at an older schema version is migrated first, never silently copied.
    with sqlite3.connect(source) as conn:
        conn.execute("DELETE FROM schema_version WHERE version = (SELECT MAX(version) "
                     "FROM schema_version)")
    with pytest.raises(StoreError, match="db migrate"):
        await copy_database(sqlite_url(source), sqlite_url(tmp_path / "d.db"))


async def test_a_count_that_does_not_match_copies_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = tmp_path / "a.db", tmp_path / "b.db"
    await console_database(source, FakeClock())
    real_write = copy_module._Sqlite.write

    async def lossy(self: copy_module._Sqlite, table: str, columns: list[str], rows: list[
            tuple[object, ...]]) -> None:
        await real_write(self, table, columns, rows[:-1] if table == "answers" else rows)

    monkeypatch.setattr(copy_module._Sqlite, "write", lossy)
    with pytest.raises(StoreError, match=r"table answers: .* nothing was copied"):
        await copy_database(sqlite_url(source), sqlite_url(target))
    assert sum(table_counts(target).values()) == 0  # rolled back as a whole


def test_db_copy_command_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source, target = tmp_path / "a.db", tmp_path / "b.db"
    asyncio.run(console_database(source, FakeClock()))
    assert main(["db", "copy", sqlite_url(source), sqlite_url(target)]) == 0
    assert "copied" in capsys.readouterr().err
    assert main(["db", "copy", sqlite_url(source), sqlite_url(target)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["db", "copy", "--force", sqlite_url(source), sqlite_url(target)]) == 0
    assert main(["db", "copy", sqlite_url(source), "memory://"]) == 2


def test_the_copied_tables_are_the_whole_schema(tmp_path: Path) -> None:
    store = asyncio.run(SqliteStore.open(tmp_path / "new.db"))
    asyncio.run(store.close())
    with sqlite3.connect(tmp_path / "new.db") as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = "
                                                "'table' AND name NOT LIKE 'sqlite_%'")}
    assert names - copy_module.NOT_COPIED == set(TABLES)


def test_the_progress_bar_shows_only_on_a_terminal_for_a_large_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with TerminalProgress(threshold=100) as quiet:
        quiet.start(1_000)  # stderr is captured: not a terminal
        quiet.advance("answers", 10)
        assert quiet._bar is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with TerminalProgress(threshold=100) as small:
        small.start(99)
        assert small._bar is None
    with TerminalProgress(threshold=100) as shown:
        shown.start(1_000)
        shown.advance("answers", 10)
        assert shown._bar is not None and shown._task is not None
        assert shown._bar.tasks[0].completed == 10
        assert shown._bar.tasks[0].description == "copying answers"
