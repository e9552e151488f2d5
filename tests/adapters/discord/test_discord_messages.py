"""Answers typed in the channel (DISCORD_MESSAGE_ANSWERS=true, Message Content intent)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.adapters.discord.fake_api import FakeDiscord
from tests.adapters.discord.support import Harness, fake_discord, make_runtime, start_adapter
from tests.factories import GOOD

__all__ = ["fake_discord"]

pytestmark = pytest.mark.timeout(30)


@pytest_asyncio.fixture
async def answering(fake_discord: FakeDiscord) -> AsyncIterator[Harness]:
    runtime = make_runtime(discord_message_answers=True)
    adapter = await start_adapter(fake_discord, runtime)
    yield Harness(fake_discord, runtime, adapter)
    await adapter.stop()


async def posted(h: Harness) -> dict[str, Any]:
    await h.services.schedules.subscribe(h.chat_key(), "23:00", topics="cnn")
    (message,) = await h.replies("daily")
    await h.fake.wait_until(lambda: h.store.post_messages)
    return message


def dms(h: Harness) -> list[dict[str, Any]]:
    return h.fake.channel_messages(h.fake.dm_channel(h.fake.user).id)


async def test_reply_to_daily_question_is_graded_by_dm(answering: Harness) -> None:
    h = answering
    message = await posted(h)
    await h.fake.message_create(GOOD, reply_to=int(message["id"]))
    await h.fake.wait_until(lambda: dms(h))
    (feedback,) = dms(h)
    assert feedback["embeds"][0]["title"].startswith("✅ Correct")
    assert feedback["mentions"] == [] and not feedback["mention_everyone"]
    assert len(h.store.answers) == 1
    # Nothing was said in the channel: the key points would spoil the question.
    assert [m["id"] for m in h.fake.channel_messages(h.fake.channel.id)][-1] != feedback["id"]


async def test_mention_answers_current_question(answering: Harness) -> None:
    h = answering
    await posted(h)
    await h.fake.message_create(f"<@{h.fake.bot.id}> {GOOD}", mentions=[h.fake.bot])
    await h.fake.wait_until(lambda: dms(h))
    assert dms(h)[0]["embeds"][0]["title"].startswith("✅ Correct")


async def test_closed_dms_get_a_verdict_only_reply(answering: Harness) -> None:
    h = answering
    message = await posted(h)
    h.fake.fail("POST", r"/users/@me/channels", 403, code=50007, message="Cannot send")
    sent = await h.fake.message_create(GOOD, reply_to=int(message["id"]))

    def reply() -> dict[str, Any] | None:
        return next(
            (
                m
                for m in h.fake.channel_messages(h.fake.channel.id)
                if m.get("message_reference", {}).get("message_id") == sent["id"]
            ),
            None,
        )

    answer = await h.fake.wait_until(reply)
    assert answer["content"].startswith("✅ Correct · score")
    assert answer["mentions"] == []  # mention_author=False and no pings


async def test_other_messages_are_ignored(answering: Harness) -> None:
    h = answering
    await posted(h)
    await h.fake.message_create("just chatting")
    await h.fake.message_create(f"<@{h.fake.bot.id}>", mentions=[h.fake.bot])  # nothing to grade
    # A message after them proves they were processed without a reply or a grade.
    await h.fake.message_create(f"<@{h.fake.bot.id}> {GOOD}", mentions=[h.fake.bot])
    await h.fake.wait_until(lambda: dms(h))
    assert len(dms(h)) == 1 and len(h.store.answers) == 1
