"""Every slash command as an INTERACTION_CREATE through real discord.py, callbacks captured."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.adapters.discord import commands as commands_module
from bot.domain.models import ChatKey
from tests.adapters.discord.fake_api import (
    CALLBACK_AUTOCOMPLETE,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    EPHEMERAL,
)
from tests.adapters.discord.support import Harness, discord_harness, fake_discord
from tests.factories import GOOD

__all__ = ["discord_harness", "fake_discord"]

pytestmark = pytest.mark.timeout(30)

WEBHOOK = r"/webhooks/\d+/[^/]+"


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message["components"] for c in row["components"]]


async def subscribe(h: Harness, topics: str, chat: ChatKey | None = None) -> None:
    """Limit the channel's daily pool so the test knows which kind of item comes."""
    await h.services.schedules.subscribe(chat or h.chat_key(), "23:00", topics=topics)


async def test_daily_posts_question_with_buttons(discord_harness: Harness) -> None:
    h = discord_harness
    await subscribe(h, "cnn")
    inter = await h.fake.slash("daily")
    callback = await h.fake.wait_for_callback(inter)
    assert callback.type == CALLBACK_DEFERRED_MESSAGE and not callback.ephemeral
    await h.fake.wait_until(lambda: inter.followup_ids)
    message = h.fake.messages[inter.followup_ids[0]]
    embed = message["embeds"][0]
    assert embed["title"].startswith("Question of the day")
    assert "vision/q" in embed["footer"]["text"]
    post = await h.services.daily.current(h.chat_key())
    assert post is not None
    assert custom_ids(message) == [f"prepbot:ans:{post.post_id}", f"prepbot:show:{post.post_id}"]
    assert not message["flags"] & EPHEMERAL
    # The message is remembered so a reply to it answers the post.
    await h.fake.wait_until(lambda: h.store.post_messages.get(post.post_id))
    assert h.store.post_messages[post.post_id] == message["id"]
    sent = h.fake.find_requests("POST", WEBHOOK)[-1]
    assert sent.json["allowed_mentions"] == {"parse": []}
    chat = await h.store.get_chat(h.chat_key())
    assert chat is not None and chat.group.group_id == str(h.fake.guild.id)
    assert chat.title == "general"
    user = await h.store.get_user(h.user_key())
    assert user is not None and user.display_name == "Alice"


async def test_answer_command_opens_modal_and_grades(discord_harness: Harness) -> None:
    h = discord_harness
    await subscribe(h, "cnn")
    await h.replies("daily")
    opened = await h.slash("answer")
    assert opened.type == CALLBACK_MODAL and opened.data["custom_id"] == "prepbot-modal:a"
    field = opened.data["components"][0]["components"][0]
    assert field["custom_id"] == "answer" and field["style"] == 2  # a long text field
    submit = await h.fake.modal_submit("prepbot-modal:a", {"answer": GOOD})
    callback = await h.fake.wait_for_callback(submit)
    assert callback.type == CALLBACK_DEFERRED_MESSAGE and callback.ephemeral
    await h.fake.wait_until(lambda: submit.followup_ids)
    feedback = h.fake.messages[submit.followup_ids[0]]
    assert feedback["embeds"][0]["title"].startswith("✅ Correct")
    assert feedback["flags"] & EPHEMERAL
    ids = custom_ids(feedback)
    item = ids[0].split(":")[2]
    assert item.startswith("vision/")
    assert ids[:4] == [f"prepbot:rate:{item}:{r}" for r in ("again", "hard", "good", "easy")]
    assert "prepbot:rev" in ids
    assert h.store.answers  # recorded


async def test_reveal_command_is_personal(discord_harness: Harness) -> None:
    h = discord_harness
    await subscribe(h, "cnn")
    await h.replies("daily")
    (first,) = await h.replies("reveal")
    assert first["flags"] & EPHEMERAL
    description = first["embeds"][0]["description"]
    assert "Short answer" in description and "Full answer" in description
    assert "prepbot:rev" in custom_ids(first)
    (second,) = await h.replies("reveal")
    assert "Key points" in second["embeds"][0]["description"]
    assert "prepbot:rev" not in custom_ids(second)


async def test_quiz_command_and_conflict(discord_harness: Harness) -> None:
    h = discord_harness
    inter = await h.fake.slash("quiz", {"topic": "cnn", "count": 2, "difficulty": "medium"})
    callback = await h.fake.wait_for_callback(inter)
    assert callback.ephemeral
    await h.fake.wait_until(lambda: inter.followup_ids)
    question = h.fake.messages[inter.followup_ids[0]]
    assert question["embeds"][0]["title"] == "Quiz · 1/2"
    ids = custom_ids(question)
    session = ids[0].split(":")[2]
    assert ids == [
        f"prepbot:qans:{session}:1",
        f"prepbot:qshow:{session}:1",
        f"prepbot:qskip:{session}:1",
        f"prepbot:qstop:{session}",
    ]
    (again,) = await h.replies("quiz", {"topic": "regularization"})
    assert "already have a quiz running" in again["embeds"][0]["description"]
    assert custom_ids(again)[0] == f"prepbot:qans:{session}:1"
    (short,) = await h.replies("quiz", {"topic": "nonsense-topic"}, user=h.fake.admin)
    assert "Unknown topic" in short["content"]


async def test_review_command_without_cards(discord_harness: Harness) -> None:
    (reply,) = await discord_harness.replies("review")
    assert "No review cards yet" in reply["content"] and reply["flags"] & EPHEMERAL


async def test_streak_stats_topics_help(discord_harness: Harness) -> None:
    h = discord_harness
    (streak,) = await h.replies("streak")
    assert "Streak: **0**" in streak["content"] and streak["flags"] & EPHEMERAL
    (stats,) = await h.replies("stats")
    assert stats["embeds"][0]["title"] == "Your statistics"
    # The picture rides in the embed, attached; the embed keeps the numbers as text.
    assert "Answered **0**" in stats["embeds"][0]["description"]
    assert stats["embeds"][0]["image"]["url"] == "attachment://stats.png"
    (attached,) = stats["attachments"]
    assert attached["filename"] == "stats.png" and attached["size"] > 0
    (upload,) = [f for r in h.fake.requests for f in r.files if f.filename == "stats.png"]
    assert upload.data[:8] == b"\x89PNG\r\n\x1a\n"
    (topics,) = await h.replies("topics")
    text = topics["embeds"][0]["description"]
    assert "`regularization` · tag" in text and "`vision` · deck" in text
    helped = await h.slash("help")
    assert helped.type == CALLBACK_MESSAGE and helped.ephemeral
    described = helped.data["embeds"][0]["description"]
    assert "/schedule set" in described and "/interview" in described
    assert "/deck list|show|export" in described and "/deck add file format" in described


async def test_timezone_command(discord_harness: Harness) -> None:
    h = discord_harness
    (shown,) = await h.replies("timezone")
    assert "**UTC**" in shown["content"] and "following" in shown["content"]
    (set_,) = await h.replies("timezone", {"zone": "europe/berlin"})
    assert "**Europe/Berlin** (your own)" in set_["content"]
    user = await h.store.get_user(h.user_key())
    assert user is not None and user.timezone == "Europe/Berlin"
    (bad,) = await h.replies("timezone", {"zone": "Mars/Olympus"})
    assert "Unknown time zone" in bad["content"] and bad["flags"] & EPHEMERAL


async def test_leaderboard_and_optout(discord_harness: Harness) -> None:
    h = discord_harness
    await subscribe(h, "cnn")
    await h.replies("daily")
    submit_daily = await h.fake.modal_submit("prepbot-modal:a", {"answer": GOOD})
    await h.fake.wait_until(lambda: submit_daily.followup_ids)
    inter = await h.fake.slash("leaderboard", {"window": "month"})
    callback = await h.fake.wait_for_callback(inter)
    assert not callback.ephemeral  # the board is for the channel
    await h.fake.wait_until(lambda: inter.followup_ids)
    board = h.fake.messages[inter.followup_ids[0]]["embeds"][0]
    assert board["title"] == "Leaderboard · this month"
    assert board["description"].startswith("**1.** Alice —")
    (hidden,) = await h.replies("leaderboard-optout")
    assert "hidden" in hidden["content"]
    (board_after,) = await h.replies("leaderboard")
    assert "Alice" not in board_after["embeds"][0]["description"].split("You are")[0]
    (shown,) = await h.replies("leaderboard-optout", {"hide": False})
    assert "back on the leaderboards" in shown["content"]


async def test_report_command(discord_harness: Harness) -> None:
    h = discord_harness
    (reply,) = await h.replies("report", {"item": "dl/q01", "reason": "Typo in @everyone"})
    assert re.search(r"report #\d+ on `dl/q01` was recorded", reply["content"])
    (report,) = await h.services.data.reports()
    assert report.reason == "Typo in @everyone" and report.user == h.user_key()
    (bad,) = await h.replies("report", {"item": "dl/q99", "reason": "x"})
    assert "Unknown question" in bad["content"]


async def test_forget_command_confirm_and_cancel(discord_harness: Harness) -> None:
    h = discord_harness
    await h.replies("streak")  # the user exists now
    (ask,) = await h.replies("forget")
    assert ask["embeds"][0]["title"] == "Delete your data?"
    confirm, cancel = custom_ids(ask)
    assert confirm.startswith("prepbot:forget:") and cancel == "prepbot:keep"
    kept = await h.fake.component(cancel, message_id=int(ask["id"]))
    await h.fake.wait_until(lambda: kept.followup_ids)
    assert "nothing was deleted" in h.fake.messages[kept.followup_ids[0]]["content"]
    assert await h.store.get_user(h.user_key()) is not None
    (ask,) = await h.replies("forget")
    done = await h.fake.component(custom_ids(ask)[0], message_id=int(ask["id"]))
    await h.fake.wait_until(lambda: done.followup_ids)
    assert "is deleted" in h.fake.messages[done.followup_ids[0]]["content"]
    assert await h.store.get_user(h.user_key()) is None


async def test_autocomplete(discord_harness: Harness) -> None:
    h = discord_harness

    async def choices(name: str, options: dict[str, Any], focused: str) -> list[str]:
        inter = await h.fake.autocomplete(name, options, focused)
        callback = await h.fake.wait_for_callback(inter)
        assert callback.type == CALLBACK_AUTOCOMPLETE
        return [c["value"] for c in callback.data["choices"]]

    assert (await choices("quiz", {"topic": "reg"}, "topic"))[0] == "regularization"
    assert "vision" in await choices("quiz", {"topic": "vis"}, "topic")  # deck ids too
    assert (await choices("timezone", {"zone": "berl"}, "zone"))[0] == "Europe/Berlin"
    assert "UTC" in await choices("timezone", {"zone": ""}, "zone")
    assert await choices("report", {"item": "dl/q0"}, "item") == [
        f"dl/q0{n}" for n in range(1, 7)
    ]
    topics = await choices(
        "schedule set", {"topics": "cnn, reg"}, "topics"
    )
    assert topics[0] == "cnn, regularization"
    zones = await choices("schedule set", {"timezone": "new_y"}, "timezone")
    assert zones[0] == "America/New_York"
    assert "mon-fri" in await choices("schedule set", {"weekdays": "mon"}, "weekdays")


async def test_commands_in_direct_messages(discord_harness: Harness) -> None:
    h = discord_harness
    dm = h.fake.dm_channel(h.fake.user)
    (question,) = await h.replies("daily", guild_id=None)
    assert question["channel_id"] == str(dm.id)
    chat = await h.store.get_chat(h.chat_key(dm.id))
    assert chat is not None and chat.group.group_id == str(dm.id)  # its own group
    (stats,) = await h.replies("stats", guild_id=None)
    assert stats["embeds"][0]["title"] == "Your statistics"
    refused = await h.slash("schedule show", guild_id=None, user=h.fake.admin)
    assert "Manage Server" in (refused.content or "")


async def test_stats_without_a_picture_is_the_embed(
    discord_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_picture(card: object) -> None:
        return None

    monkeypatch.setattr(commands_module, "stats_png", no_picture)
    (stats,) = await discord_harness.replies("stats")
    assert "Answered **0**" in stats["embeds"][0]["description"]
    assert not stats.get("attachments") and "image" not in stats["embeds"][0]
