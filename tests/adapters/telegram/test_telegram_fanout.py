"""The fan-out benchmark's scenario, scaled down: 300 group chats due together against a
fake that enforces Telegram's limits, through the real messenger and python-telegram-bot.
(SCALE > 1 compresses time: limits and budget that many times higher. The sender keeps one
send between request and record, so a compressed run needs a fast machine.)"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.telegram.spec import SPEC
from bot.delivery import Delivery
from bot.domain.models import ChatKey, OutboxStatus
from bot.ports import RateBudget
from tests.adapters.ratelimits import telegram_rules
from tests.adapters.telegram.conftest import StartTelegram
from tests.adapters.telegram.fake_api import FakeTelegram, RecordedCall
from tests.factories import bank, open_deck

pytestmark = pytest.mark.timeout(120)

CHATS = 300
SCALE = 1.0
NINE = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


def is_post(call: RecordedCall) -> bool:
    return call.method.lower() in ("sendmessage", "sendpoll") and call.status == 200


async def test_300_chats_due_together_go_out_at_the_limit_without_a_429(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram
) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    tg.clock.set(NINE - timedelta(minutes=1))
    chats = [ChatKey("telegram", str(-1_000_000_000_000 - n)) for n in range(CHATS)]
    for chat in chats:
        await tg.services.schedules.subscribe(chat, "09:00", "UTC")
    tg.clock.set(NINE)
    delivery = Delivery(tg.store, tg.services, tg.clock)
    assert (await delivery.tick()).daily_rows == CHATS
    rules = fake_telegram.limits = telegram_rules(SCALE)
    # The spec's budget, time-compressed like the fake.
    budget = RateBudget(overall=(SPEC.rate.overall[0] * SCALE, 1.0), per_chat=(20, 60.0 / SCALE))
    sender = delivery.sender(tg.adapter.messenger, budget)
    mark = fake_telegram.mark()
    assert await sender.drain() == CHATS

    posts = [c for c in fake_telegram.calls[mark:] if is_post(c)]
    per_chat = Counter(int(c.params["chat_id"]) for c in posts)
    assert sorted(per_chat) == sorted(int(chat.chat_id) for chat in chats)
    assert set(per_chat.values()) == {1}  # none lost, none twice
    assert fake_telegram.rate_limited == 0 and sender.rate_limited == 0
    assert rules.overall is not None and rules.peak(1.0) <= rules.overall.limit
    span = max(c.finished or c.started for c in posts) - min(c.started for c in posts)
    ideal = CHATS / (30 * SCALE)
    # The benchmark's target is 1.10 on a quiet machine; a loaded one gets some slack.
    assert span / ideal <= 1.25, (span, ideal)
    rows = await tg.store.outbox_rows("telegram")
    assert {row.status for row in rows} == {OutboxStatus.SENT}
