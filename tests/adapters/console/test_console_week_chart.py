"""The console's /leaderboard: the board, and the week's picture written to a file."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from bot.ports import Store
from bot.storage.memory import MemoryStore
from tests.adapters.console.test_console import make_services, run_console
from tests.factories import GOOD


def png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width: int = struct.unpack(">I", data[16:20])[0]
    return width


async def test_board_and_week_chart_written(store: Store, tmp_path: Path) -> None:
    services = make_services(store)
    target = tmp_path / "Week.png"
    _, out = await run_console(
        services, f"{GOOD}\n\n/leaderboard\n/leaderboard week chart --png {target}\n"
    )
    boards = out.split("Leaderboard · this week")
    assert len(boards) == 3  # the board, then the board again with the picture
    assert "1. tester — 10 pts" in boards[1] and "1. tester — 10 pts" in boards[2]
    assert "Picture written" not in boards[1]
    assert f"Picture written to {target}" in boards[2].replace("\n", "")
    assert png_width(target.read_bytes()) == 900


async def test_chart_alone_writes_the_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _, out = await run_console(make_services(MemoryStore()), "/leaderboard chart\n")
    assert "No points yet" in out
    assert png_width((tmp_path / "prepbot-week.png").read_bytes()) == 900


async def test_the_chart_is_this_weeks_only(tmp_path: Path) -> None:
    target = tmp_path / "x.png"
    typed = f"/leaderboard all chart --png {target}\n/leaderboard yearly\n"
    _, out = await run_console(make_services(MemoryStore()), typed)
    assert "The chart shows this week's points by day: /leaderboard week chart." in out
    assert "Unknown period 'yearly'" in out
    assert not target.exists()


async def test_help_names_the_pictures() -> None:
    _, out = await run_console(make_services(MemoryStore()), "/help\n")
    flat = " ".join(out.split())
    assert "/stats --png [PATH]" in flat and "prepbot-stats.png" in flat
    assert "/leaderboard week chart [--png [PATH]]" in flat and "prepbot-week.png" in flat
