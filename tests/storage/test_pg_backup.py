"""`prepbot db backup`/`restore` on PostgreSQL: pg_dump and pg_restore, or what to use."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.cli import main
from bot.domain.models import UserKey
from bot.storage import pgdump
from bot.storage.pgdump import find_pg_program, libpq_target
from bot.storage.postgres import PostgresStore
from devtools import pgserver
from tests.storage.test_postgres import SECRET, with_password

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
ANN = UserKey("telegram", "7")


def test_without_the_tools_the_message_says_what_to_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pgdump, "find_pg_program", lambda name: None)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://bot:{SECRET}@127.0.0.1:9/prepbot")
    assert main(["db", "backup", str(tmp_path / "prepbot.dump")]) == 1
    err = capsys.readouterr().err
    assert "pg_dump not found" in err and "postgresql-client" in err
    assert "prepbot db copy" in err and SECRET not in err
    assert not (tmp_path / "prepbot.dump").exists()
    (tmp_path / "old.dump").write_bytes(b"PGDMP")
    assert main(["db", "restore", str(tmp_path / "old.dump")]) == 1
    assert "pg_restore not found" in capsys.readouterr().err


def test_the_tools_get_no_password_and_the_settings_as_options() -> None:
    url, env = libpq_target(
        f"postgresql://bot:{SECRET}@db:5432/prepbot?sslmode=require&search_path=my%20schema"
    )
    assert url == "postgresql://bot@db:5432/prepbot?sslmode=require"
    assert env["PGPASSWORD"] == SECRET
    assert env["PGOPTIONS"].endswith("-c search_path=my\\ schema")


@pytest.fixture
def own_database(postgres_server: pgserver.Server) -> Iterator[str]:
    """A database of its own (a dump holds a whole database), dropped afterwards."""
    if find_pg_program("pg_dump") is None or find_pg_program("pg_restore") is None:
        message = "pg_dump/pg_restore not found beside the PostgreSQL server"
        if pgserver.required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    name = f"prepbot_dump_{os.getpid()}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(postgres_server.url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f"DROP DATABASE IF EXISTS {name}"))
    asyncio.run(admin(f"CREATE DATABASE {name}"))
    url = urlunsplit(urlsplit(postgres_server.url)._replace(path=f"/{name}", query=""))
    try:
        yield url
    finally:
        asyncio.run(admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.mark.postgres
def test_backup_then_restore_round_trip(
    own_database: str,
    postgres_server: pgserver.Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = own_database
    shown_url = with_password(url) if postgres_server.bindir is not None else url
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", shown_url)

    async def fill() -> None:
        store = await PostgresStore.open(url, max_connections=2)
        try:
            await store.upsert_user(ANN, "Ann", T0)
            await store.add_report(ANN, "hosni-dl/q20", "the formula is wrong", T0)
        finally:
            await store.close()

    async def state() -> tuple[bool, int]:
        store = await PostgresStore.open(url, max_connections=2)
        try:
            return await store.get_user(ANN) is not None, len(await store.list_reports())
        finally:
            await store.close()

    asyncio.run(fill())
    dump = tmp_path / "backups" / "prepbot.dump"
    assert main(["db", "backup", str(dump)]) == 0
    assert dump.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    assert main(["db", "backup", str(dump)]) == 1  # never overwrites by accident
    assert "--force" in capsys.readouterr().err
    assert main(["db", "backup", "--force", str(dump)]) == 0

    async def forget_then_restore_while_running() -> int:
        store = await PostgresStore.open(url, max_connections=2)
        try:
            await store.delete_user(ANN)
            return await asyncio.to_thread(main, ["db", "restore", str(dump)])
        finally:
            await store.close()

    assert asyncio.run(forget_then_restore_while_running()) == 1
    assert "stop every bot process" in capsys.readouterr().err
    assert asyncio.run(state()) == (False, 0)

    assert main(["db", "restore", str(dump)]) == 0
    err = capsys.readouterr().err
    assert "restored" in err and SECRET not in err
    assert asyncio.run(state()) == (True, 1)

    (tmp_path / "garbage.dump").write_bytes(b"not a dump")
    assert main(["db", "restore", str(tmp_path / "garbage.dump")]) == 1
    err = capsys.readouterr().err
    assert "pg_restore failed" in err and SECRET not in err
    assert asyncio.run(state()) == (True, 1)  # a failed restore leaves the database as it was
