"""SQLite specifics: migrations, pragmas, the covering index, URLs, backup and restore."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.models import AnswerKind, AnswerRecord, ChatKey, GroupKey, UserKey, Verdict
from bot.errors import ConfigError, NotFoundError, StoreError
from bot.storage import open_store, sqlite_path
from bot.storage.backup import backup, restore
from bot.storage.memory import MemoryStore
from bot.storage.sqlite import SqliteStore, migrations

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
USER = UserKey("discord", "7")
CHAT = ChatKey("discord", "c1")
GROUP = GroupKey("discord", "g1")


async def fill(store: SqliteStore, count: int = 3) -> None:
    await store.upsert_user(USER, "Ann", T0)
    await store.upsert_chat(CHAT, GROUP, "general", T0)
    for n in range(count):
        await store.record_answer(
            AnswerRecord(USER, CHAT, GROUP, AnswerKind.QUIZ, f"quiz:1:{n}", "d/q01",
                         Verdict.CORRECT, 1.0, 10, False, T0 + timedelta(minutes=n))
        )


async def test_migrations_recorded_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    store = await SqliteStore.open(path)
    latest = migrations()[-1][0]
    assert store.schema_version == latest
    await store.close()
    store = await SqliteStore.open(path)  # reopening applies nothing twice
    await store.close()
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT version, name FROM schema_version").fetchall()
        assert rows == [(version, name) for version, name, _ in migrations()]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    await (await SqliteStore.open(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (999, 'future', 0)")
    with pytest.raises(StoreError, match="newer"):
        await SqliteStore.open(path)


async def test_foreign_keys_enforced(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "p.db")
    try:
        rows = await store._all("PRAGMA foreign_keys")
        assert rows[0][0] == 1
    finally:
        await store.close()


async def test_leaderboard_query_uses_covering_index(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "p.db")
    try:
        await fill(store)
        plan = await store._all(
            "EXPLAIN QUERY PLAN SELECT user_ref, SUM(points), COUNT(*), "
            "SUM(verdict = 'correct'), MAX(answered_at) FROM answers "
            "WHERE group_key = ? AND answered_at >= ? AND answered_at < ? GROUP BY user_ref",
            "discord:g1",
            0,
            2**40,
        )
        detail = " ".join(str(row[3]) for row in plan)
        assert "COVERING INDEX answers_leaderboard" in detail
    finally:
        await store.close()


def test_sqlite_urls() -> None:
    assert sqlite_path("sqlite:///prepbot.db") == "prepbot.db"
    assert sqlite_path("sqlite:////var/lib/prepbot.db") == "/var/lib/prepbot.db"
    assert sqlite_path("sqlite://") == ":memory:"
    with pytest.raises(ConfigError):
        sqlite_path("sqlite://relative.db")


async def test_open_store_by_url(tmp_path: Path) -> None:
    memory = await open_store("memory://")
    assert isinstance(memory, MemoryStore)
    sqlite = await open_store(f"sqlite:///{tmp_path}/x/p.db")
    assert isinstance(sqlite, SqliteStore)
    await sqlite.close()
    assert (tmp_path / "x" / "p.db").exists()
    with pytest.raises(StoreError, match="cannot connect to postgresql://localhost:1/prepbot"):
        await open_store("postgresql://localhost:1/prepbot")  # nothing listens there
    with pytest.raises(ConfigError):
        await open_store("mysql://x")


async def test_backup_while_running_and_restore_when_stopped(tmp_path: Path) -> None:
    db, copy = tmp_path / "live.db", tmp_path / "backups" / "copy.db"
    store = await SqliteStore.open(db)
    await fill(store, 2)
    backup(db, copy)  # while the store is open and holds the run lock
    with pytest.raises(StoreError, match="exists"):
        backup(db, copy)
    await store.record_answer(
        AnswerRecord(USER, CHAT, GROUP, AnswerKind.DAILY, "daily:9", "d/q02",
                     Verdict.PARTIAL, 0.5, 5, False, T0)
    )
    with pytest.raises(StoreError, match="is the bot running"):
        restore(copy, db)
    assert await store.points_between(USER, None, None) == 25  # untouched by the refusal
    await store.close()

    restore(copy, db)
    reopened = await SqliteStore.open(db)
    try:
        assert await reopened.points_between(USER, None, None) == 20
        assert await reopened.get_answer(USER, "daily:9") is None
    finally:
        await reopened.close()


def test_backup_and_restore_check_their_inputs(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        backup(tmp_path / "missing.db", tmp_path / "c.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError):
        restore(junk, tmp_path / "target.db")


async def test_open_refused_during_restore_lock(tmp_path: Path) -> None:
    from bot.storage.lock import DatabaseLock

    db = tmp_path / "p.db"
    lock = DatabaseLock(db)
    lock.acquire(exclusive=True)
    try:
        with pytest.raises(StoreError, match="restore"):
            await SqliteStore.open(db)
    finally:
        lock.release()
    await (await SqliteStore.open(db)).close()


async def test_concurrent_writes_share_commits_and_fail_alone(tmp_path: Path) -> None:
    import asyncio

    store = await SqliteStore.open(tmp_path / "p.db")
    try:
        await fill(store, 0)
        ghost = UserKey("discord", "ghost")

        def record(user: UserKey, target: str) -> AnswerRecord:
            return AnswerRecord(user, CHAT, GROUP, AnswerKind.QUIZ, target, "d/q01",
                                Verdict.CORRECT, 1.0, 10, False, T0)

        before = store.batches
        results = await asyncio.gather(
            *(store.record_answer(record(USER, f"t{n}")) for n in range(20)),
            store.record_answer(record(USER, "t0")),  # a duplicate of the first
            store.record_answer(record(ghost, "x")),  # an unknown user
            return_exceptions=True,
        )
        stored = [r for r in results[:20] if isinstance(r, AnswerRecord)]
        assert len(stored) == 20
        assert results[20] is None
        assert isinstance(results[21], NotFoundError)
        assert store.batches - before < 10  # group commit: far fewer commits than writes
        assert await store.points_between(USER, None, None) == 200
    finally:
        await store.close()
    reopened = await SqliteStore.open(tmp_path / "p.db")
    try:
        assert await reopened.points_between(USER, None, None) == 200  # all durable
    finally:
        await reopened.close()


async def test_upgrade_to_003_keeps_users_and_adds_platform_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.db"
    known = migrations()
    with monkeypatch.context() as patch:  # a database written before migration 003
        patch.setattr("bot.storage.sql.schema.migrations", lambda dialect="sqlite": known[:2])
        old = await SqliteStore.open(path)
        assert old.schema_version == 2
        await fill(old, count=1)
        await old.close()
    store = await SqliteStore.open(path)
    try:
        assert store.schema_version == known[-1][0] >= 3
        assert await store.get_user(USER) is not None
        assert await store.private_ok(USER) is False  # the new column's default
        assert await store.set_private_ok(USER, True) is True
        post = await store.create_daily_post(CHAT, T0.date(), "d/q01", 0, T0, None)
        await store.remember_poll("telegram", "p", post.id, T0)
        assert await store.poll_post("telegram", "p") == post
    finally:
        await store.close()


async def test_wal_is_checkpointed_in_the_background_not_by_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wal.db"
    store = await SqliteStore.open(path, checkpoint_seconds=0.02)
    try:
        checkpointer = store.checkpointer
        assert checkpointer is not None
        # Commits never checkpoint themselves (that stalls the answer that crosses the limit).
        assert (await store._all("PRAGMA wal_autocheckpoint"))[0][0] == 0
        # Each finished checkpoint reports how many writes it started after.
        writes = 0
        finished: asyncio.Queue[int] = asyncio.Queue()
        note_write, checkpoint = checkpointer.note_write, checkpointer.checkpoint

        def counted_write() -> None:
            nonlocal writes
            writes += 1
            note_write()

        async def reported_checkpoint() -> None:
            covered = writes
            await checkpoint()
            finished.put_nowait(covered)

        monkeypatch.setattr(checkpointer, "note_write", counted_write)
        monkeypatch.setattr(checkpointer, "checkpoint", reported_checkpoint)
        await fill(store, 20)
        total = writes
        assert total >= 20

        async def caught_up() -> None:
            while await finished.get() < total:
                pass

        await asyncio.wait_for(caught_up(), 30)  # a safety net, not a speed limit
        assert checkpointer.checkpoints >= 1
        # No writes since: the loop wakes several times over and has nothing to do. (A
        # negative needs time to pass; a slow machine only makes this check weaker.)
        await asyncio.sleep(checkpointer.interval * 5)
        assert finished.empty()
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 20


async def test_memory_database_has_no_checkpointer() -> None:
    store = await SqliteStore.open(":memory:")
    try:
        assert store.checkpointer is None
        await fill(store)
    finally:
        await store.close()
