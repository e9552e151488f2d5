"""The smooth pacer: an even stream at the rate, no burst after idle, idle keys evicted."""

from __future__ import annotations

import asyncio
import time

from bot.pacing import KeyedPacer, Pacer
from tests.adapters.ratelimits import peak


async def test_many_waiters_get_an_even_stream_without_a_burst() -> None:
    pacer = Pacer(50, 1.0)
    times: list[float] = []

    async def one() -> None:
        await pacer.acquire()
        times.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(60)))
    times.sort()
    assert peak(times) <= 51
    # No catch-up burst: a slot taken late may sit close to the next one, never three.
    assert peak(times, pacer.interval) <= 2
    assert times[-1] - times[0] >= 59 * pacer.interval * 0.95


async def test_idle_time_earns_no_burst() -> None:
    pacer = Pacer(20, 1.0)
    await pacer.acquire()
    await asyncio.sleep(0.3)  # six intervals idle
    started = time.monotonic()
    for _ in range(3):
        await pacer.acquire()
    # One slot at once, then one per interval: not three at once.
    assert time.monotonic() - started >= 2 * pacer.interval * 0.9


async def test_keyed_pacer_spaces_one_key_and_forgets_idle_keys() -> None:
    now = [0.0]
    pacer = KeyedPacer(5, 5.0, now=lambda: now[0])  # one per second per key
    for n in range(1000):
        await pacer.acquire(n)
    assert pacer.delay(0) == 1.0 and pacer.delay("never") == 0.0
    assert len(pacer) == 1000
    now[0] = 10.0  # every key idle for longer than two intervals
    await pacer.acquire("fresh")
    assert len(pacer) == 1  # the table holds recent keys only


async def test_an_urgent_caller_goes_ahead_of_the_queue() -> None:
    pacer = Pacer(20, 1.0)  # 50 ms a slot
    order: list[str] = []

    async def queued(n: int) -> None:
        await pacer.acquire()
        order.append(f"q{n}")

    tasks = [asyncio.create_task(queued(n)) for n in range(6)]
    await asyncio.sleep(0.01)  # the queue has formed: q0 went, five wait
    started = time.monotonic()
    await pacer.acquire(urgent=True)
    order.append("urgent")
    waited = time.monotonic() - started
    await asyncio.gather(*tasks)
    assert order.index("urgent") <= 2 and waited < 3 * pacer.interval
    times: list[float] = []
    # Still one slot per interval overall.
    for _ in range(3):
        await pacer.acquire(urgent=True)
        times.append(time.monotonic())
    assert times[-1] - times[0] >= 2 * pacer.interval * 0.9


async def test_a_spare_send_goes_at_once_and_any_window_stays_within_the_cap() -> None:
    pacer = Pacer(20, 0.5, spare=1)  # 25 ms a slot; at most 20 + 1 sends in any 0.5 s
    assert pacer.cap == 21
    times: list[float] = []

    async def queued() -> None:
        await pacer.acquire()
        times.append(time.monotonic())

    tasks = [asyncio.create_task(queued()) for _ in range(30)]
    await asyncio.sleep(0.2)  # the queue is paced: its next slot is in the future
    started = time.monotonic()
    await pacer.acquire(urgent=True)
    times.append(time.monotonic())
    assert time.monotonic() - started < pacer.interval / 2  # the spare send: at once
    await pacer.acquire(urgent=True)  # the spare is spent: the queue's next slot
    times.append(time.monotonic())
    await asyncio.gather(*tasks)
    assert peak(times, 0.5) <= 21
    # The spare send came on top of the rate: the queue kept its slots.
    assert times[-1] - times[0] < 31 * pacer.interval * 1.2
