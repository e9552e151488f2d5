"""Processes sending for one bot split its budget through sender leases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.delivery.share import BudgetShare
from bot.pacing import Pacer
from bot.services.leases import LeaseService
from bot.storage.memory import MemoryStore
from tests.factories import FakeClock


async def test_each_sender_paces_at_its_share_and_a_gone_one_gives_it_back() -> None:
    clock = FakeClock()
    leases = LeaseService(MemoryStore(), clock)
    first, second = Pacer(30.0), Pacer(30.0)
    a = BudgetShare(leases, first, "telegram", "a", ttl=timedelta(seconds=10))
    b = BudgetShare(leases, second, "telegram", "b", ttl=timedelta(seconds=10))
    other = BudgetShare(leases, Pacer(50.0), "discord", "c")
    assert await a.renew() == 1 and first.interval == first.whole_interval
    assert await b.renew() == 2 and second.interval == 2 * second.whole_interval
    assert await other.renew() == 1  # another platform's budget is its own
    assert await a.renew() == 2 and first.interval == 2 * first.whole_interval
    # b dies without releasing: once its lease expires, a has the whole budget again.
    clock.advance(seconds=11)
    assert await a.renew() == 1 and first.interval == first.whole_interval


async def test_a_stopped_sender_releases_its_share_at_once() -> None:
    clock = FakeClock()
    leases = LeaseService(MemoryStore(), clock)
    pacer = Pacer(30.0)
    a = BudgetShare(leases, Pacer(30.0), "telegram", "a")
    b = BudgetShare(leases, pacer, "telegram", "b", every=0.01)
    stop = asyncio.Event()
    running = asyncio.create_task(b.run(stop))
    await asyncio.sleep(0.05)
    assert await a.renew() == 2
    stop.set()
    await running
    assert await a.renew() == 1


def test_a_shared_pacer_gives_up_its_spare_sends() -> None:
    pacer = Pacer(28.0, spare=1)
    assert pacer.cap == 29
    pacer.share(2)
    assert pacer.spare == 0 and pacer.cap is None and pacer.interval == 2 / 28.0
    pacer.share(1)
    assert (pacer.spare, pacer.cap) == (1, 29) and pacer.interval == 1 / 28.0
