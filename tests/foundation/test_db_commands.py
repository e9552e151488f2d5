"""`prepbot content reports`, `prepbot db backup` and `prepbot db restore`."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.models import UserKey
from bot.storage.sqlite import SqliteStore

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
ANN = UserKey("telegram", "7")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.chdir(tmp_path)

    async def fill() -> None:
        store = await SqliteStore.open(path)
        try:
            await store.upsert_user(ANN, "Ann", T0)
            await store.add_report(ANN, "hosni-dl/q20", "the formula is wrong", T0)
        finally:
            await store.close()

    asyncio.run(fill())
    return path


def users(path: Path) -> list[UserKey]:
    async def read() -> list[UserKey]:
        store = await SqliteStore.open(path)
        try:
            return [key for key in [ANN] if await store.get_user(key)]
        finally:
            await store.close()

    return asyncio.run(read())


def test_reports_are_listed(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "reports"]) == 0
    line = capsys.readouterr().out.strip()
    assert "hosni-dl/q20" in line and "telegram:7" in line and "the formula is wrong" in line
    assert main(["content", "reports", "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["item"] == "hosni-dl/q20" and report["reason"] == "the formula is wrong"


def test_backup_then_restore_brings_the_data_back(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "backups" / "copy.db"
    assert main(["db", "backup", str(copy)]) == 0
    assert main(["db", "backup", str(copy)]) == 1  # never overwrites by accident
    assert "exists" in capsys.readouterr().err
    assert main(["db", "backup", str(copy), "--force"]) == 0

    async def forget() -> None:
        store = await SqliteStore.open(db)
        try:
            await store.delete_user(ANN)
        finally:
            await store.close()

    asyncio.run(forget())
    assert users(db) == []
    assert main(["db", "restore", str(copy)]) == 0
    assert users(db) == [ANN]


def test_restore_is_refused_while_the_bot_runs(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.db"
    assert main(["db", "backup", str(copy)]) == 0

    async def restore_while_open() -> int:
        store = await SqliteStore.open(db)
        try:
            return main(["db", "restore", str(copy)])
        finally:
            await store.close()

    assert asyncio.run(restore_while_open()) == 1
    assert "prepbot:" in capsys.readouterr().err


def test_restore_of_a_missing_file_says_so(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "restore", "nope.db"]) == 1
    assert "nope.db" in capsys.readouterr().err
