"""End to end: `/leaderboard chart:True` posts the board with the week's picture attached."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from bot.adapters.discord import commands as commands_module
from tests.adapters.discord.support import Harness, discord_harness, fake_discord
from tests.factories import GOOD

__all__ = ["discord_harness", "fake_discord"]

pytestmark = pytest.mark.timeout(30)


def png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width: int = struct.unpack(">I", data[16:20])[0]
    return width


async def a_board(h: Harness) -> None:
    await h.services.schedules.subscribe(h.chat_key(), "23:00", topics="cnn")
    await h.replies("daily")
    submit = await h.fake.modal_submit("prepbot-modal:a", {"answer": GOOD})
    await h.fake.wait_until(lambda: submit.followup_ids)


async def channel_reply(h: Harness, options: dict[str, Any]) -> dict[str, Any]:
    inter = await h.fake.slash("leaderboard", options)
    callback = await h.fake.wait_for_callback(inter)
    assert not callback.ephemeral  # the board is for the channel
    await h.fake.wait_until(lambda: inter.followup_ids)
    message: dict[str, Any] = h.fake.messages[inter.followup_ids[0]]
    return message


async def test_chart_true_attaches_the_weeks_picture(discord_harness: Harness) -> None:
    h = discord_harness
    await a_board(h)
    plain = await channel_reply(h, {})
    charted = await channel_reply(h, {"chart": True})
    embed = charted["embeds"][0]
    assert embed["title"] == plain["embeds"][0]["title"] == "Leaderboard · this week"
    assert embed["description"] == plain["embeds"][0]["description"]
    assert embed["description"].startswith("**1.** Alice —")
    assert embed["image"]["url"] == "attachment://leaderboard.png"
    (attached,) = charted["attachments"]
    assert attached["filename"] == "leaderboard.png" and attached["size"] > 0
    (upload,) = [f for r in h.fake.requests for f in r.files if f.filename == "leaderboard.png"]
    assert png_width(upload.data) == 900
    # Without chart:true the board is unchanged: no picture.
    assert not plain.get("attachments") and "image" not in plain["embeds"][0]


async def test_an_empty_week_gets_the_chart_and_the_friendly_board(
    discord_harness: Harness,
) -> None:
    charted = await channel_reply(discord_harness, {"window": "week", "chart": True})
    assert "No points yet" in charted["embeds"][0]["description"]
    assert charted["embeds"][0]["image"]["url"] == "attachment://leaderboard.png"


async def test_the_chart_is_this_weeks_only(discord_harness: Harness) -> None:
    refused = await discord_harness.slash("leaderboard", {"window": "all", "chart": True})
    assert refused.ephemeral  # said to the caller only, nothing posted to the channel
    assert refused.content == (
        "The chart shows this week's points by day: /leaderboard window:week chart:True."
    )


async def test_without_a_picture_the_board_is_the_embed(
    discord_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_picture(chart: object) -> None:
        return None

    monkeypatch.setattr(commands_module, "week_png", no_picture)
    charted = await channel_reply(discord_harness, {"chart": True})
    assert charted["embeds"][0]["title"] == "Leaderboard · this week"
    assert not charted.get("attachments") and "image" not in charted["embeds"][0]
