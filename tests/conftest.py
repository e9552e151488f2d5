"""Shared fixtures: every store test and service test runs on both stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ports import Store
from bot.storage.memory import MemoryStore
from bot.storage.sqlite import SqliteStore


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    opened: Store
    if request.param == "memory":
        opened = MemoryStore()
    else:
        opened = await SqliteStore.open(tmp_path / "prepbot.db")
    try:
        yield opened
    finally:
        await opened.close()
