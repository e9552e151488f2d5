"""What only the PostgreSQL store has: URLs and passwords, its migrations, `db migrate`,
and several stores (processes) on one database. The contract suite runs on it as well."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import yaml

from bot.app import secrets
from bot.cli import main
from bot.config import Settings, redact_url
from bot.domain.models import ChatKey, DueGroup, GroupKey, NewOutboxRow, OutboxKind, Schedule
from bot.errors import StoreError
from bot.storage import open_store
from bot.storage.postgres import PostgresStore, health_problem
from bot.storage.sql import migrations
from devtools import pgserver

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
SECRET = "s3cret-Pa55"
ROOT = Path(__file__).resolve().parents[2]


def with_password(url: str, password: str = SECRET) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}:{password}@{host}"))


def test_redact_url_hides_only_the_password() -> None:
    url = "postgresql://bot:hunter2@db.example:5432/prepbot?sslmode=require"
    assert redact_url(url) == "postgresql://bot:***@db.example:5432/prepbot?sslmode=require"
    assert redact_url("postgresql://bot@db/prepbot") == "postgresql://bot@db/prepbot"
    assert redact_url("sqlite:///prepbot.db") == "sqlite:///prepbot.db"


def test_the_database_password_is_a_secret_scrubbed_from_logs() -> None:
    settings = Settings(_env_file=None, database_url="postgresql://bot:hunter2@db/prepbot")
    assert "hunter2" in secrets(settings)


def test_postgres_migrations_share_what_is_the_same() -> None:
    sqlite, postgres = migrations("sqlite"), migrations("postgres")
    assert [m[:2] for m in sqlite] == [m[:2] for m in postgres]  # same versions and names
    shared = [m for m in postgres if m in sqlite]
    once = ["streaks", "leases", "grade_cache", "decks", "chat_feedback", "marks"]  # written once
    assert [m[1] for m in shared] == once
    for _, _, sql in postgres:
        assert "WITHOUT ROWID" not in sql and "INTEGER PRIMARY KEY," not in sql


async def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    port = pgserver.free_port()
    with pytest.raises(StoreError) as caught:
        await open_store(f"postgresql://bot:{SECRET}@127.0.0.1:{port}/prepbot")
    message = str(caught.value)
    assert message.startswith("DATABASE_URL: cannot connect to postgresql://bot:***@127.0.0.1")
    assert SECRET not in message and "\n" not in message


@pytest.mark.postgres
async def test_open_migrates_once_and_never_logs_the_password(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = with_password(postgres_url)  # the test server trusts loopback: any password works
    store = await open_store(url)
    try:
        assert isinstance(store, PostgresStore)
        assert store.schema_version == migrations("postgres")[-1][0]
        assert SECRET not in store.location and "***" in store.location
    finally:
        await store.close()
    again = await PostgresStore.open(url)
    await again.close()
    assert SECRET not in caplog.text
    assert "applied migration" not in caplog.text  # the fixture's database was migrated


@pytest.mark.postgres
def test_db_migrate_command(
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("DATABASE_URL", with_password(postgres_url))
    assert main(["db", "migrate"]) == 0
    err = capsys.readouterr().err
    assert f"schema version {migrations('postgres')[-1][0]}" in err
    assert SECRET not in err and ":***@" in err


def test_db_migrate_creates_an_sqlite_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    assert main(["db", "migrate"]) == 0
    assert (tmp_path / "new.db").is_file()
    assert f"schema version {migrations()[-1][0]}" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", "memory://")
    assert main(["db", "migrate"]) == 2


@pytest.mark.postgres
async def test_two_stores_on_one_database_enqueue_each_due_chat_once(postgres_url: str) -> None:
    """Two processes ticking at once: each due channel gets one outbox row, and every
    schedule advances."""
    first = await PostgresStore.open(postgres_url)
    second = await PostgresStore.open(postgres_url)
    try:
        due = T0
        chats = [ChatKey("discord", f"c{n}") for n in range(120)]
        for chat in chats:
            await first.upsert_chat(chat, GroupKey("discord", "g"), "", T0)
            await first.save_schedule(
                Schedule(
                    chat=chat,
                    local_time=time(9, 0),
                    timezone="UTC",
                    weekdays=frozenset(range(7)),
                    topics=(),
                    reveal_delay_hours=0,
                    thread=False,
                    paused=False,
                    next_post_utc=due,
                    created_at=T0,
                    updated_at=T0,
                )
            )
        group = DueGroup(time(9, 0), "UTC", frozenset(range(7)), due, len(chats))
        later = due + timedelta(days=1)

        async def drain(store: PostgresStore) -> tuple[int, int]:
            channels = rows = 0
            while True:
                took, new = await store.enqueue_group(group, date(2024, 3, 4), later, 7)
                if took == 0:
                    return channels, rows
                channels, rows = channels + took, rows + new
                await asyncio.sleep(0)

        results = await asyncio.gather(drain(first), drain(second), drain(first))
        assert sum(r[0] for r in results) == len(chats)  # no channel taken twice
        assert sum(r[1] for r in results) == len(chats)
        queued = await second.outbox_rows()
        assert sorted(row.chat for row in queued) == sorted(chats)
        assert await first.due_groups(due) == []
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgres
async def test_a_failed_statement_is_a_store_error(postgres_url: str) -> None:
    store = await PostgresStore.open(postgres_url)
    try:
        with pytest.raises(StoreError) as caught:
            await store.execute("INSERT INTO no_such_table VALUES (1)")
        assert isinstance(caught.value.__cause__, asyncpg.PostgresError)
    finally:
        await store.close()


def test_compose_postgres_profile_runs_the_bot_on_a_healthy_database() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    bot, postgres = compose["services"]["bot"], compose["services"]["postgres"]
    assert postgres["profiles"] == ["postgres"] and "profiles" not in bot
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    wait = bot["depends_on"]["postgres"]
    assert wait == {"condition": "service_healthy", "required": False}
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]  # a named volume keeps the data
    url = bot["environment"]["DATABASE_URL"]
    assert url == "${PREPBOT_DATABASE_URL:-sqlite:////data/prepbot.db}"


@pytest.mark.postgres
async def test_healthcheck_on_postgres(postgres_url: str) -> None:
    assert await health_problem(postgres_url) == (
        f"no running prepbot is connected to {redact_url(postgres_url)}"
    )
    store = await PostgresStore.open(with_password(postgres_url))
    try:
        assert await health_problem(with_password(postgres_url)) is None
    finally:
        await store.close()
    port = pgserver.free_port()
    found = await health_problem(f"postgresql://bot:{SECRET}@127.0.0.1:{port}/prepbot")
    assert found is not None and found.startswith("cannot connect to postgresql://bot:***@")
    assert SECRET not in found


@pytest.mark.postgres
async def test_two_stores_on_one_database_never_claim_the_same_outbox_row(
    postgres_url: str,
) -> None:
    first = await PostgresStore.open(postgres_url)
    second = await PostgresStore.open(postgres_url)
    try:
        rows = [
            NewOutboxRow(ChatKey("discord", f"c{n}"), OutboxKind.DAILY, date(2024, 3, 4), T0)
            for n in range(300)
        ]
        assert await first.commit_tick(rows, []) == len(rows)

        async def take(store: PostgresStore) -> list[int]:
            taken: list[int] = []
            while claimed := await store.claim_outbox("discord", T0, 9, timedelta(minutes=5)):
                taken += [row.id for row in claimed]
                await asyncio.sleep(0)
            return taken

        results = await asyncio.gather(take(first), take(second), take(first), take(second))
        every = [row_id for taken in results for row_id in taken]
        assert len(every) == len(set(every)) == len(rows)  # each row claimed exactly once
        assert sum(1 for taken in results if taken) >= 2  # and the work was shared
    finally:
        await first.close()
        await second.close()
