"""`/schedule` for admins and non-admins, and the one error handler."""

from __future__ import annotations

import logging
import re

import pytest

from bot.domain.timeparse import parse_weekdays
from bot.errors import StoreError
from tests.adapters.discord.fake_api import (
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_MESSAGE,
    EPHEMERAL,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
)
from tests.adapters.discord.support import Harness, discord_harness, fake_discord

__all__ = ["discord_harness", "fake_discord"]

pytestmark = pytest.mark.timeout(30)

WEBHOOK = r"/webhooks/\d+/[^/]+"
APOLOGY = re.compile(
    r"Sorry, something went wrong on my side\. Please try again in a moment\. "
    r"\(reference ([0-9a-f]{8})\)"
)


def reference(text: str) -> str:
    """The reference id of an apology (fails for any other text)."""
    match = APOLOGY.fullmatch(text)
    assert match is not None, text
    return match.group(1)


async def test_admin_sets_shows_pauses_resumes_and_stops(discord_harness: Harness) -> None:
    h = discord_harness
    admin = h.fake.admin
    channel = h.fake.daily_channel.id
    options = {
        "time": "09:30",
        "timezone": "Europe/Berlin",
        "weekdays": "mon-fri",
        "topics": "cnn, regularization",
        "reveal_after_hours": 2,
        "thread": True,
    }
    inter = await h.fake.slash("schedule set", options, user=admin, channel_id=channel)
    callback = await h.fake.wait_for_callback(inter)
    assert callback.type == CALLBACK_DEFERRED_MESSAGE and not callback.ephemeral
    await h.fake.wait_until(lambda: inter.followup_ids)
    embed = h.fake.messages[inter.followup_ids[0]]["embeds"][0]
    assert embed["title"] == "Daily question scheduled"
    assert "09:30 (Europe/Berlin)" in embed["description"]
    assert "after 2 h" in embed["description"] and "thread:** on" in embed["description"]
    schedule = await h.store.get_schedule(h.chat_key(channel))
    assert schedule is not None
    assert schedule.weekdays == parse_weekdays("mon-fri")
    assert schedule.topics == ("cnn", "regularization") and schedule.thread
    chat = await h.store.get_chat(h.chat_key(channel))
    assert chat is not None and chat.group.group_id == str(h.fake.guild.id)

    (changed,) = await h.replies(
        "schedule set", {"time": "10:00"}, user=admin, channel_id=channel
    )
    assert changed["embeds"][0]["title"] == "Schedule updated"
    assert "10:00 (Europe/Berlin)" in changed["embeds"][0]["description"]
    (shown,) = await h.replies("schedule show", user=admin, channel_id=channel)
    assert shown["flags"] & EPHEMERAL and "Next post" in shown["embeds"][0]["description"]
    (paused,) = await h.replies("schedule pause", user=admin, channel_id=channel)
    assert "Paused" in paused["embeds"][0]["description"]
    (resumed,) = await h.replies("schedule resume", user=admin, channel_id=channel)
    assert resumed["embeds"][0]["title"] == "Schedule resumed"
    (off,) = await h.replies("schedule off", user=admin, channel_id=channel)
    assert "daily question is off" in off["content"]
    assert await h.store.get_schedule(h.chat_key(channel)) is None
    (none,) = await h.replies("schedule show", user=admin, channel_id=channel)
    assert "no daily question yet" in none["content"] and "/schedule set" in none["content"]


async def test_non_admin_is_refused(discord_harness: Harness) -> None:
    h = discord_harness
    for name in ("schedule set", "schedule pause", "schedule off"):
        options = {"time": "09:00"} if name == "schedule set" else None
        callback = await h.slash(name, options)
        assert callback.type == CALLBACK_MESSAGE and callback.ephemeral
        assert "Manage Server" in (callback.content or "")
    assert await h.store.get_schedule(h.chat_key()) is None
    # A member whose role grants Manage Server may.
    (done,) = await h.replies(
        "schedule set", {"time": "07:00"}, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD
    )
    assert done["embeds"][0]["title"] == "Daily question scheduled"


async def test_schedule_input_errors_are_shown(discord_harness: Harness) -> None:
    h = discord_harness
    admin = h.fake.admin
    (no_time,) = await h.replies("schedule set", {"thread": True}, user=admin)
    assert "Give a time" in no_time["content"]
    (bad_time,) = await h.replies("schedule set", {"time": "25:00"}, user=admin)
    assert "Invalid time '25:00'" in bad_time["content"]
    (bad_zone,) = await h.replies(
        "schedule set", {"time": "09:00", "timezone": "Europe/Berln"}, user=admin
    )
    assert "Did you mean" in bad_zone["content"] and "Europe/Berlin" in bad_zone["content"]


async def test_unexpected_error_logs_traceback_and_apologises(
    discord_harness: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = discord_harness

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(h.services.stats, "stats", broken)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.discord"):
        (reply,) = await h.replies("stats")
    ref = reference(reply["content"])
    assert reply["flags"] & EPHEMERAL
    (record,) = [r for r in caplog.records if r.name.startswith("bot.adapters.discord")]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == f"/stats failed [ref {ref}]"
    assert record.exc_info is not None and "boom" in str(record.exc_info[1])


async def test_storage_errors_are_logged_not_shown(
    discord_harness: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = discord_harness

    async def broken(*args: object, **kwargs: object) -> None:
        raise StoreError("database write failed: database or disk is full")

    monkeypatch.setattr(h.services.stats, "stats", broken)
    with caplog.at_level(logging.DEBUG, logger="bot.adapters.discord"):
        (reply,) = await h.replies("stats")
    assert "disk is full" not in reply["content"]
    ref = reference(reply["content"])
    (record,) = [r for r in caplog.records if r.levelno >= logging.INFO
                 and r.name.startswith("bot.adapters.discord")]
    assert record.levelno == logging.ERROR and f"[ref {ref}]" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is StoreError


async def test_user_errors_are_shown_and_logged_at_info(
    discord_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = discord_harness
    with caplog.at_level(logging.DEBUG, logger="bot.adapters.discord"):
        (reply,) = await h.replies("quiz", {"topic": "nosuchtopic"})
    assert reply["content"].startswith("Unknown topic 'nosuchtopic'.")
    (record,) = [r for r in caplog.records if r.name.startswith("bot.adapters.discord")]
    assert record.levelno == logging.INFO and "Unknown topic" in record.getMessage()


async def test_platform_error_is_one_warning_line(
    discord_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = discord_harness
    h.fake.fail("POST", WEBHOOK, 403, times=1)  # the follow-up is refused once
    with caplog.at_level(logging.WARNING, logger="bot.adapters.discord"):
        (reply,) = await h.replies("streak")
    ref = reference(reply["content"])  # the apology got through afterwards
    (record,) = [r for r in caplog.records if r.name.startswith("bot.adapters.discord")]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage().startswith("/streak: Forbidden: 403 Forbidden (error code: 50013)")
    assert record.getMessage().endswith(f"[ref {ref}]")


async def test_expired_interaction_is_logged_not_raised(
    discord_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = discord_harness
    h.fake.interaction_deadline = 0.0  # every callback arrives too late: 10062
    with caplog.at_level(logging.WARNING, logger="bot.adapters.discord"):
        inter = await h.fake.slash("stats")
        await h.fake.wait_until(
            lambda: any("10062" in r.getMessage() for r in caplog.records)
        )
    assert inter.callback is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
