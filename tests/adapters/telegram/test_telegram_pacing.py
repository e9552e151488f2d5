"""The per-group sliding window: a burst up to the limit, then one as the oldest ages out."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.adapters.telegram import pacing
from bot.adapters.telegram.limits import PacedLimiter, useful_until
from bot.adapters.telegram.pacing import GroupWindows, SlidingWindow, is_group
from bot.pacing import Pacer


async def test_window_allows_a_burst_then_waits_for_the_oldest() -> None:
    window = SlidingWindow(limit=3, period=0.5)
    started = time.monotonic()
    entered: list[float] = []
    for _ in range(5):
        async with window:
            entered.append(time.monotonic() - started)
    assert all(t < 0.2 for t in entered[:3])
    assert entered[3] >= 0.45 and entered[4] >= 0.45
    # Never more than the limit within any period.
    assert all(sum(1 for u in entered if t <= u < t + 0.45) <= 3 for t in entered)


async def test_one_window_per_group_and_idle_ones_are_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pacing, "KEEP_WINDOWS", 5)
    windows = GroupWindows(limit=2, period=0.05)
    first = windows.window(-1)
    assert windows.window(-1) is first
    for group in range(-2, -12, -1):
        async with windows.window(group):
            pass
    await asyncio.sleep(0.06)
    windows.window(-999)
    assert set(windows._limiters) == {-999}


def test_groups_are_told_from_private_chats() -> None:
    assert is_group(-100123) and is_group("-42") and is_group("@channel")
    assert not is_group(42) and not is_group("42") and not is_group(None)


async def test_posts_the_sender_paced_count_without_waiting() -> None:
    window = SlidingWindow(limit=2, period=0.5)
    window.note()
    window.note()
    started = time.monotonic()
    waiting = asyncio.create_task(window.acquire())
    await asyncio.sleep(0.05)
    assert not waiting.done()  # the two posts used the minute's budget
    await waiting
    assert time.monotonic() - started >= 0.4


async def test_a_reply_with_a_deadline_is_refused_at_once_when_no_slot_comes_in_time() -> None:
    window = SlidingWindow(limit=2, period=0.5)
    assert window.room() == 2
    assert await window.acquire()
    assert await window.acquire()
    queued = asyncio.create_task(window.acquire())
    await asyncio.sleep(0)
    assert window.room() == 0  # the queued reply already holds its slot
    assert not await window.acquire(deadline=time.monotonic() + 0.2)  # slot at 0.5 s
    assert not queued.done()  # refused at once, not after waiting for the slot
    assert await queued
    assert await window.acquire(deadline=time.monotonic() + 1.0)  # its slot comes in time


async def test_the_limiter_drops_a_group_reply_past_its_deadline() -> None:
    limiter = PacedLimiter(Pacer(1000.0, 1), GroupWindows(limit=1, period=0.5))
    sent: list[int] = []

    async def send(chat: int) -> bool:
        sent.append(chat)
        return True

    async def call(chat: int) -> object:
        data = {"chat_id": chat}
        return await limiter.process_request(send, (chat,), {}, "sendMessage", data, None)

    await call(-5)
    with useful_until(0.1):
        await call(-5)  # the group's window is full for 0.5 s: dropped, not raised
        raise AssertionError("unreachable: the dropped reply ends the block")
    with useful_until(0.1):
        await call(7)  # a private chat has no group window: sent
    assert sent == [-5, 7]
    assert limiter.dropped == 1


async def test_chat_bucket_lets_a_short_burst_through_then_holds_the_rate() -> None:
    bucket = pacing.ChatBucket(burst=3, rate=10.0)  # 0.1 s a message after the burst
    started = time.monotonic()
    entered: list[float] = []
    for _ in range(6):
        assert await bucket.acquire()
        entered.append(time.monotonic() - started)
    assert all(t < 0.05 for t in entered[:3])
    assert entered[3] >= 0.095 and entered[4] >= 0.195 and entered[5] >= 0.295
    # A deadline the next token misses: refused at once, nothing spent.
    assert not await bucket.acquire(deadline=time.monotonic() + 0.01)
    assert await bucket.acquire(deadline=time.monotonic() + 0.5)


async def test_chat_bucket_counts_outbox_posts_and_is_forgotten_when_full() -> None:
    bucket = pacing.ChatBucket(burst=1, rate=20.0)
    bucket.note()  # a post the sender paced: the chat's next reply waits for its token
    assert not bucket.idle()
    started = time.monotonic()
    await bucket.acquire()
    assert time.monotonic() - started >= 0.045
    await asyncio.sleep(0.06)
    assert bucket.idle()


async def test_replies_to_one_chat_are_paced_per_chat() -> None:
    limiter = PacedLimiter(Pacer(1000.0, 1), chats=pacing.ChatBuckets(burst=2, rate=10.0))
    sent: list[tuple[str, float]] = []
    started = time.monotonic()

    async def call(endpoint: str) -> bool:
        sent.append((endpoint, time.monotonic() - started))
        return True

    for endpoint in ("sendMessage", "sendChatAction", "sendMessage", "sendMessage"):
        await limiter.process_request(call, (endpoint,), {}, endpoint, {"chat_id": 7}, None)
    await limiter.process_request(call, ("sendMessage",), {}, "sendMessage", {"chat_id": 8}, None)
    times = [t for endpoint, t in sent if endpoint == "sendMessage"]
    assert times[1] < 0.05  # a burst of two in chat 7 (the chat action is no message)
    assert times[2] >= 0.095  # the third waits for chat 7's token
    assert times[3] - times[2] < 0.05  # chat 8 has its own bucket
