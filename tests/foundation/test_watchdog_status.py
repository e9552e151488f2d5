"""The watchdog names what blocked the loop; `prepbot status` reads the live figures and
the database and says when the bot looks stuck."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.models import ChatKey, NewOutboxRow, OutboxKind
from bot.storage.sqlite import SqliteStore
from bot.watchdog import Watchdog


def block_the_loop() -> None:
    time.sleep(0.4)  # a blocking call in a coroutine: what the watchdog is for


async def test_a_stall_is_logged_with_the_stack_that_caused_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    watchdog = Watchdog(threshold=0.25, interval=0.02)
    watchdog.start()
    await asyncio.sleep(0.05)
    with caplog.at_level(logging.WARNING, logger="bot.watchdog"):
        block_the_loop()
        await asyncio.sleep(0.1)
    await watchdog.stop()
    [record] = [r for r in caplog.records if "event loop lagged" in r.getMessage()]
    assert "block_the_loop" in record.getMessage()
    assert watchdog.stalls == 1 and watchdog.max_lag_ms() >= 300


async def test_status_reports_live_figures_and_the_outbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bot.db"
    store = await SqliteStore.open(db)
    due = datetime.now(UTC) - timedelta(minutes=30)
    await store.commit_tick(
        [NewOutboxRow(ChatKey("telegram", "-1"), OutboxKind.DAILY, due.date(), due)], []
    )
    await store.close()
    status_file = tmp_path / "status.json"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("STATUS_FILE", str(status_file))
    monkeypatch.chdir(tmp_path)

    assert await asyncio.to_thread(main, ["status"]) == 1  # no live figures yet
    assert "no live figures" in capsys.readouterr().err

    live = {
        "written_at": datetime.now(UTC).isoformat(),
        "last_tick": datetime.now(UTC).isoformat(),
        "platforms": {"telegram": {"sent_last_minute": 28, "rate_limited_last_minute": 0}},
    }
    status_file.write_text(json.dumps(live))
    code = await asyncio.to_thread(main, ["status"])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["outbox"]["pending"] == 1
    assert report["outbox"]["oldest_pending_seconds"] >= 30 * 60
    assert report["broken_chats"] == 0
    assert report["process"]["platforms"]["telegram"]["sent_last_minute"] == 28
    # A post pending for half an hour: the bot is not posting.
    assert code == 1 and "oldest pending post" in captured.err
