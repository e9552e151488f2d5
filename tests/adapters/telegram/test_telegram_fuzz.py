"""Wire-level fuzz: thousands of random valid updates (commands with hostile arguments, free
text, button presses, double presses, presses on someone else's buttons) through the real
python-telegram-bot stack against the fake. Seeded: `PREPBOT_FUZZ_SEED`, size
`PREPBOT_FUZZ_UPDATES` (default 2,000).

Passes when nothing is logged at ERROR (no traceback, no apology), every press is answered,
and the fake rejected none of the bot's calls (too long, not modified, answered twice...).
"""

from __future__ import annotations

import asyncio
import logging
import random

import pytest

from bot.adapters.telegram import pacing
from tests.adapters.telegram.conftest import StartTelegram
from tests.adapters.telegram.fake_api import FakeTelegram, JSONDict, make_group, make_user
from tests.hostile.wire import FUZZ_SEED, FUZZ_UPDATES, fuzz_args, fuzz_text

TEXT_LIMIT = 4096  # what a Telegram user can send in one message
COMMANDS = (
    "start", "help", "daily", "reveal", "quiz", "skip", "stop", "review", "streak",
    "leaderboard", "stats", "topics", "timezone", "report", "forget", "schedule", "answer",
)
USERS = [make_user(5000 + n, f"User{n}", username=f"user{n}") for n in range(6)]
GROUPS = [make_group(-1009000000000 - n, f"Study group {n}") for n in range(2)]


def private(user: JSONDict) -> JSONDict:
    return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


def press_targets(fake: FakeTelegram, chat_id: int) -> list[tuple[int, str]]:
    """(message id, callback data) of every button the bot left in a chat."""
    return [
        (message.message_id, data)
        for message in fake.sent_messages(chat_id)[-6:]
        for data in message.callback_data
    ]


async def settle(fake: FakeTelegram, quiet: float = 2.0, timeout: float = 120.0) -> None:
    """Wait until every update is fetched and the bot made no call for `quiet` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen = -1
    while loop.time() < deadline:
        if not fake.pending_updates and len(fake.calls) == seen:
            return
        seen = len(fake.calls)
        await asyncio.sleep(quiet)
    raise TimeoutError(f"the bot was still busy after {timeout}s: {fake.summary()}")


def one_update(
    fake: FakeTelegram, rng: random.Random, groups: list[JSONDict] = GROUPS
) -> None:
    """Inject one random update into a random chat."""
    user = rng.choice(USERS)
    chat = rng.choice([private(user), *groups])
    roll = rng.random()
    targets = press_targets(fake, int(chat["id"]))
    if roll < 0.35 and targets:
        message_id, data = rng.choice(targets)
        presser = user if chat["type"] != "private" or rng.random() < 0.9 else rng.choice(USERS)
        times = 2 if rng.random() < 0.2 else 1  # double presses
        for _ in range(times):
            fake.press_button(message_id, data, user=presser, chat_id=int(chat["id"]))
    elif roll < 0.75:
        name = rng.choice(COMMANDS)
        args = fuzz_args(rng, TEXT_LIMIT - 40)
        fake.send_text(f"/{name} {args}".strip()[:TEXT_LIMIT], user=user, chat=chat)
    else:
        fake.send_text(fuzz_text(rng, TEXT_LIMIT), user=user, chat=chat)


@pytest.mark.timeout(900)
async def test_fuzzed_updates_leave_no_trace(
    start_telegram: StartTelegram,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Robustness, not pacing: the limiter would hold group replies to 20 a minute and a
    # chat's to about one a second, and stretch the run to half an hour (the busy-group
    # and paced fuzz tests cover pacing).
    monkeypatch.setattr(pacing, "GROUP_LIMIT", 10**9)
    monkeypatch.setattr(pacing, "CHAT_RATE", 1000.0)  # nor a chat's message a second
    harness = await start_telegram()
    fake = harness.fake
    for user in USERS:
        fake.add_chat(private(user))
    for group in GROUPS:
        fake.add_chat(group)
    rng = random.Random(FUZZ_SEED)
    caplog.set_level(logging.ERROR)
    for user in USERS:  # everyone has started the bot, so private feedback can go out
        fake.send_text("/start", user=user, chat=private(user))
    for n in range(FUZZ_UPDATES):
        one_update(fake, rng)
        if n % 10 == 9:  # bursts of 10, then the bot catches up and leaves buttons to press
            await settle(fake, quiet=0.15)
    await settle(fake)

    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[:10]
    rejected = [
        f"{c.method}: {c.status} {c.description}" for c in fake.calls if c.done and not c.ok
    ]
    assert not rejected, rejected[:10]
    unanswered = fake.callback_rules.unanswered()
    presses = len(fake.callback_rules.pressed_at)
    assert presses >= FUZZ_UPDATES // 10, presses
    assert not unanswered, f"{len(unanswered)} of {presses} presses never answered"
