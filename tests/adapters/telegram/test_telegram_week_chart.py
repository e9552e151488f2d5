"""End to end: `/leaderboard week chart` posts the week's picture with the board as caption."""

from __future__ import annotations

import struct

import pytest

from bot.adapters.telegram import commands as commands_module
from bot.content.bank import Bank
from tests.adapters.telegram.conftest import StartTelegram
from tests.factories import GOOD, PARTIAL, bank, open_deck

pytestmark = pytest.mark.timeout(30)


def open_bank(count: int = 3) -> Bank:
    return bank(open_deck("dl", count))


def png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width: int = struct.unpack(">I", data[16:20])[0]
    return width


async def test_week_chart_is_a_photo_with_the_board_as_caption(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=open_bank())
    group = tg.group
    await tg.reply("/daily", chat=group, user=tg.bob)
    await tg.reply(f"/answer {GOOD}", chat=group, user=tg.bob)
    await tg.reply(f"/answer {PARTIAL}", chat=group, user=tg.alice)
    text = await tg.reply("/leaderboard week", chat=group, user=tg.alice)
    photo = await tg.reply(
        "/leaderboard week chart", chat=group, user=tg.alice, method="sendPhoto"
    )
    assert photo.upload is not None and png_width(photo.upload.data) == 900
    assert photo.upload.filename == "leaderboard.png"
    assert photo.text == text.text  # the same board, as the caption
    assert photo.text is not None and photo.text.splitlines()[1].startswith("🥇 Bob — 10 pts")


async def test_an_empty_week_gets_the_chart_and_the_friendly_board(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=open_bank())
    photo = await tg.reply("/leaderboard chart", chat=tg.group, user=tg.alice, method="sendPhoto")
    assert photo.upload is not None and png_width(photo.upload.data) == 900
    assert photo.text is not None and "No points yet" in photo.text


async def test_the_chart_is_this_weeks_only(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=open_bank())
    month = await tg.reply("/leaderboard month chart", chat=tg.group, user=tg.alice)
    assert month.upload is None
    assert month.text == "The chart shows this week's points by day: /leaderboard week chart."


async def test_without_a_picture_the_board_is_text(
    start_telegram: StartTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = await start_telegram(bank=open_bank())

    async def no_picture(chart: object) -> None:
        return None

    monkeypatch.setattr(commands_module, "week_png", no_picture)
    board = await tg.reply("/leaderboard week chart", chat=tg.group, user=tg.alice)
    assert board.upload is None
    assert board.text is not None and board.text.startswith("🏆 Leaderboard · this week")
