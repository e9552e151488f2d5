"""The outbox through the Discord messenger: tick, daily post, reveal, 403, 429, nonce."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.delivery import Delivery
from bot.domain.models import OutboxStatus
from bot.domain.views import ChannelReveal
from bot.errors import ChatUnavailable, RateLimited
from bot.ports import DailyPostMessage, RevealMessage
from tests.adapters.discord.support import Harness, discord_harness, fake_discord
from tests.factories import BAD, GOOD, PARTIAL

__all__ = ["discord_harness", "fake_discord"]

pytestmark = pytest.mark.timeout(30)

MESSAGES = r"/channels/{}/messages"


def delivery(h: Harness) -> Delivery:
    return Delivery(h.store, h.services, h.clock, max_age=timedelta(minutes=120))


async def schedule(h: Harness, **options: Any) -> int:
    """An admin subscribes the daily channel at 09:30 UTC; returns the channel id."""
    channel = h.fake.daily_channel.id
    values = {"time": "09:30", "timezone": "UTC", "topics": "cnn"} | options
    (reply,) = await h.replies("schedule set", values, user=h.fake.admin, channel_id=channel)
    assert reply["embeds"][0]["title"] == "Daily question scheduled"
    return channel


def posts(h: Harness, channel: int) -> list[dict[str, Any]]:
    """What the outbox posted in a channel (interaction replies left out)."""
    return [m for m in h.fake.channel_messages(channel) if "interaction_metadata" not in m]


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message["components"] for c in row["components"]]


async def test_tick_posts_daily_question_then_reveal(discord_harness: Harness) -> None:
    h = discord_harness
    channel = await schedule(h, reveal_after_hours=1, thread=True)
    outbox = delivery(h)
    sender = outbox.sender(h.adapter.messenger)
    await outbox.tick()
    assert await sender.drain() == 0  # not due before 09:30

    h.clock.set(datetime(2024, 3, 4, 9, 30, tzinfo=UTC))
    await outbox.tick()
    assert await sender.drain() == 1
    (post,) = posts(h, channel)
    embed = post["embeds"][0]
    assert embed["title"] == "Question of the day · Mon 04 Mar 2024"
    reveal_at = int(datetime(2024, 3, 4, 10, 30, tzinfo=UTC).timestamp())
    assert {"name": "Answer revealed", "value": f"<t:{reveal_at}:R>", "inline": True} in embed[
        "fields"
    ]
    (row,) = [r for r in await h.store.outbox_rows() if r.status is OutboxStatus.SENT]
    assert row.message_id == post["id"] and post["nonce"] == str(row.id)
    request = h.fake.find_requests("POST", MESSAGES.format(channel))[-1]
    assert request.json["enforce_nonce"] is True
    assert request.json["allowed_mentions"] == {"parse": []}
    # The schedule asked for a discussion thread under the post.
    assert post.get("thread", {}).get("name") == "Discussion · Mon 04 Mar"

    # Members answer through the post's buttons.
    answer_id = custom_ids(post)[0]
    modal = f"prepbot-modal:d:{answer_id.rsplit(':', 1)[1]}"
    sneaky = h.fake.add_user("sneaky")
    sneaky.global_name = "__sneaky__ @everyone"
    for user, text in ((h.fake.user, GOOD), (h.fake.admin, PARTIAL), (sneaky, BAD)):
        inter = await h.fake.modal_submit(modal, {"answer": text}, user=user, channel_id=channel)
        await h.fake.wait_until(lambda i=inter: i.followup_ids)  # type: ignore[misc]

    h.clock.advance(hours=1)
    await outbox.tick()
    assert await sender.drain() == 1
    reveal = posts(h, channel)[-1]["embeds"][0]
    assert reveal["title"] == "Answer to the question of Mon 04 Mar 2024"
    assert "3 answered." in reveal["description"]
    assert "1. Alice — ✅ Correct, 10 points" in reveal["description"]
    assert "2. Bob (admin) — 🟡 Partly right" in reveal["description"]
    # Names are user text: markdown shown literally, mentions inert.
    assert "3. \\_\\_sneaky\\_\\_ @\u200beveryone — ❌ Incorrect" in reveal["description"]
    assert await sender.drain() == 0  # nothing twice


async def test_resend_is_deduplicated_by_nonce(discord_harness: Harness) -> None:
    h = discord_harness
    channel = await schedule(h)
    daily = await h.services.daily.today(h.chat_key(channel))
    message = DailyPostMessage(h.chat_key(channel), 77, daily)
    first = await h.adapter.messenger.deliver(message)
    again = await h.adapter.messenger.deliver(message)  # as after a crash before recording
    assert first == again
    assert len(posts(h, channel)) == 1


async def test_lost_permission_marks_channel_broken_and_tells_the_owner(
    discord_harness: Harness,
) -> None:
    h = discord_harness
    channel = await schedule(h)
    outbox = delivery(h)
    sender = outbox.sender(h.adapter.messenger)
    h.fake.fail("POST", MESSAGES.format(channel), 403, times=None)
    h.clock.set(datetime(2024, 3, 4, 9, 30, tzinfo=UTC))
    await outbox.tick()
    assert await sender.drain() == 0
    chat = await h.store.get_chat(h.chat_key(channel))
    assert chat is not None and chat.broken_at is not None
    (row,) = await h.store.outbox_rows()
    assert row.status is OutboxStatus.BROKEN
    owner_dm = h.fake.dm_channel(h.fake.admin)  # the guild owner
    (notice,) = h.fake.channel_messages(owner_dm.id)
    assert "could not post the daily question" in notice["content"]
    assert "Test Guild" in notice["content"] and notice["mentions"] == []

    # Next day: nothing is attempted for a broken channel, and the owner is told only once.
    h.clock.advance(days=1)
    await outbox.tick()
    assert await sender.drain() == 0
    assert len(h.fake.find_requests("POST", MESSAGES.format(channel))) == 1
    assert len(h.fake.channel_messages(owner_dm.id)) == 1

    # An admin fixes the permission and resumes.
    h.fake.clear_failures()
    await h.replies("schedule resume", user=h.fake.admin, channel_id=channel)
    chat = await h.store.get_chat(h.chat_key(channel))
    assert chat is not None and chat.broken_at is None


async def test_messenger_maps_missing_channel_to_unavailable(discord_harness: Harness) -> None:
    h = discord_harness
    channel = await schedule(h)
    daily = await h.services.daily.today(h.chat_key(channel))
    gone = DailyPostMessage(h.chat_key(999), 1, daily)
    with pytest.raises(ChatUnavailable):
        await h.adapter.messenger.deliver(gone)
    h.fake.fail("POST", MESSAGES.format(channel), 404)
    with pytest.raises(ChatUnavailable):
        await h.adapter.messenger.deliver(DailyPostMessage(h.chat_key(channel), 2, daily))


async def test_short_429_is_waited_out(discord_harness: Harness) -> None:
    h = discord_harness
    channel = await schedule(h)
    outbox = delivery(h)
    h.fake.fail("POST", MESSAGES.format(channel), 429, retry_after=0.3)
    h.clock.set(datetime(2024, 3, 4, 9, 30, tzinfo=UTC))
    await outbox.tick()
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await outbox.sender(h.adapter.messenger).drain() == 1
    assert loop.time() - started >= 0.3
    statuses = [r.status for r in h.fake.find_requests("POST", MESSAGES.format(channel))]
    assert statuses == [429, 200]


async def test_long_429_pauses_the_sender(discord_harness: Harness) -> None:
    h = discord_harness
    channel = await schedule(h)
    outbox = delivery(h)
    sender = outbox.sender(h.adapter.messenger)
    h.fake.fail("POST", MESSAGES.format(channel), 429, retry_after=45)
    h.clock.set(datetime(2024, 3, 4, 9, 30, tzinfo=UTC))
    await outbox.tick()
    assert await sender.drain() == 0  # too long to sleep on: the library raised at once
    (row,) = await h.store.outbox_rows()
    assert row.status is OutboxStatus.PENDING and row.error is not None
    assert row.next_attempt_at == h.clock.now() + timedelta(seconds=45)
    assert await sender.drain() == 0  # paused
    h.clock.advance(seconds=46)
    assert await sender.drain() == 1
    assert len(posts(h, channel)) == 1


async def test_messenger_raises_rate_limited(discord_harness: Harness) -> None:
    h = discord_harness
    channel = await schedule(h)
    daily = await h.services.daily.today(h.chat_key(channel))
    h.fake.fail("POST", MESSAGES.format(channel), 429, retry_after=45)
    with pytest.raises(RateLimited) as raised:
        await h.adapter.messenger.deliver(DailyPostMessage(h.chat_key(channel), 5, daily))
    assert raised.value.retry_after == pytest.approx(45)


async def test_long_reveal_is_split_into_messages_within_limits(discord_harness: Harness) -> None:
    h = discord_harness
    channel = h.fake.daily_channel.id
    answer = "\n\n".join(f"Part {n}: " + "detail " * 140 for n in range(20))  # ~20k characters
    reveal = ChannelReveal(
        post_id=1, chat=h.chat_key(channel), local_date=date(2024, 3, 4), item_id="dl/q01",
        question="Q?", short_answer="S.", answer=answer, answered=0, top=(), first=True,
    )
    message_id = await h.adapter.messenger.deliver(
        RevealMessage(h.chat_key(channel), 9, reveal)
    )
    sent = posts(h, channel)
    assert len(sent) >= 4 and sent[0]["id"] == message_id
    assert [m["nonce"] for m in sent] == ["9"] + [f"9.{n}" for n in range(1, len(sent))]
    text = "".join(e["description"] for m in sent for e in m["embeds"])
    assert "Part 19" in text  # nothing lost (the fake rejects anything over Discord's limits)
