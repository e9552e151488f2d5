"""Wire-level fuzz at Telegram's limits: random valid updates arrive at 20 a second over a
few groups and private chats while the fake enforces 30 messages/s overall, 20 a minute
per group and about one a second per chat. Every press is acknowledged within a second
(also a press queued behind its presser's earlier one, whose group reply the budget holds
back), nothing is logged at ERROR, and the fake refuses none of the bot's calls: no 429.
Seeded like the other fuzz (`PREPBOT_FUZZ_SEED`); `PREPBOT_FUZZ_PACED_UPDATES` sets the
size (default 200: ten seconds of updates)."""

from __future__ import annotations

import asyncio
import logging
import os
import random

import pytest

from tests.adapters.ratelimits import telegram_rules
from tests.adapters.telegram.conftest import StartTelegram
from tests.adapters.telegram.fake_api import make_group
from tests.adapters.telegram.test_telegram_fuzz import USERS, one_update, private, settle
from tests.hostile.wire import FUZZ_SEED

UPDATES = int(os.environ.get("PREPBOT_FUZZ_PACED_UPDATES", "200"))
PER_SECOND = 20
ACK_LIMIT = 1.0  # seconds from press to answerCallbackQuery
GROUPS = [make_group(-1009100000000 - n, f"Busy group {n}") for n in range(3)]


@pytest.mark.timeout(900)
async def test_fuzzed_updates_at_the_limits_draw_no_429_and_no_late_press(
    start_telegram: StartTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await start_telegram()
    fake = harness.fake
    fake.limits = telegram_rules()
    for user in USERS:
        fake.add_chat(private(user))
    for group in GROUPS:
        fake.add_chat(group)
    caplog.set_level(logging.ERROR)
    for user in USERS[:4]:  # some have started the bot (private feedback), some not
        fake.send_text("/start", user=user, chat=private(user))
    rng = random.Random(FUZZ_SEED)
    loop = asyncio.get_running_loop()
    began = loop.time()
    for n in range(UPDATES):
        one_update(fake, rng, GROUPS)
        await asyncio.sleep(max(0.0, began + (n + 1) / PER_SECOND - loop.time()))
    await settle(fake, timeout=600)

    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[:10]
    rejected = [
        f"{c.method}: {c.status} {c.description}" for c in fake.calls if c.done and not c.ok
    ]
    assert not rejected, rejected[:10]
    assert fake.rate_limited == 0
    rules = fake.callback_rules
    assert len(rules.pressed_at) >= UPDATES // 10, len(rules.pressed_at)
    assert not rules.unanswered(), f"{len(rules.unanswered())} presses never answered"
    late = sorted(wait for wait in rules.latency.values() if wait > ACK_LIMIT)
    assert not late, f"{len(late)} presses acknowledged after {ACK_LIMIT} s: {late[:5]}"
