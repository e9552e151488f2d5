from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fsrs import Scheduler

from bot.content.bank import Bank
from bot.grading.lexical import LexicalGrader
from bot.ports import Store
from bot.services import Services, build_services
from tests.factories import CHAT, OTHER_CHAT, FakeClock, bank, open_deck


async def questions(services: Services, clock: FakeClock, chat: object, days: int) -> list[str]:
    picked = []
    for _ in range(days):
        picked.append((await services.daily.today(chat)).question.item_id)  # type: ignore[arg-type]
        clock.advance(days=1)
    return picked


async def test_today_is_stored_and_stable(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl", reveal_delay=12)
    first = await services.daily.today(CHAT)
    assert first.created
    assert first.local_date == date(2024, 3, 4)
    assert first.question.item_id.startswith("dl/")
    assert first.reveal_at == clock.now() + timedelta(hours=12)
    clock.advance(hours=3)
    again = await services.daily.today(CHAT)
    assert (again.post_id, again.question.item_id, again.created) == (
        first.post_id, first.question.item_id, False
    )


async def test_restart_with_changed_bank_keeps_the_choice(
    store: Store, services: Services, clock: FakeClock
) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    first = await services.daily.today(CHAT)
    # A "restart": new services over the same store, and a bank with more questions.
    bigger = bank(open_deck("dl", 30))
    restarted = build_services(
        store, bigger, clock, LexicalGrader(), scheduler=Scheduler(enable_fuzzing=False)
    )
    assert (await restarted.daily.today(CHAT)).question.item_id == first.question.item_id


async def test_each_item_once_per_cycle_then_a_new_cycle(
    services: Services, clock: FakeClock
) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    picked = await questions(services, clock, CHAT, 12)
    assert sorted(picked[:6]) == [f"dl/q{n:02d}" for n in range(1, 7)]
    assert sorted(picked[6:]) == sorted(picked[:6])
    assert picked[6] != picked[5]


async def test_channels_have_their_own_order(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    await services.schedules.subscribe(OTHER_CHAT, "09:00", "UTC", topics="dl")
    one = await questions(services, clock, CHAT, 6)
    clock.set(datetime(2024, 3, 4, 9, tzinfo=UTC))
    two = await questions(services, clock, OTHER_CHAT, 6)
    assert one != two
    assert sorted(one) == sorted(two)


async def test_items_that_left_the_pool_are_skipped(
    store: Store, services: Services, clock: FakeClock, bank: Bank
) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    first = (await services.daily.today(CHAT)).question.item_id
    remaining = [f"dl/q{n:02d}" for n in range(1, 7) if f"dl/q{n:02d}" != first]
    gone = remaining[:2]
    for item_id in gone:
        del bank.items[item_id]
    clock.advance(days=1)
    picked = await questions(services, clock, CHAT, 3)
    assert not set(picked) & set(gone)
    assert first not in picked
    assert len(set(picked)) == 3


async def test_topics_limit_the_pool(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="cnn")
    picked = await questions(services, clock, CHAT, 3)
    assert sorted(picked) == ["vision/q01", "vision/q02", "vision/q03"]


async def test_unsubscribed_chat_uses_every_item_and_default_zone(
    services: Services, clock: FakeClock
) -> None:
    clock.set(datetime(2024, 3, 4, 23, 30, tzinfo=UTC))
    post = await services.daily.today(CHAT)
    assert post.local_date == date(2024, 3, 4)
    assert post.reveal_at is None


async def test_local_date_follows_the_schedule_zone(
    services: Services, clock: FakeClock
) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "Asia/Kolkata")
    clock.set(datetime(2024, 3, 4, 19, 0, tzinfo=UTC))  # 00:30 on 5 March in Kolkata
    assert (await services.daily.today(CHAT)).local_date == date(2024, 3, 5)


async def test_choice_items_carry_options(services: Services) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="cards")
    seen = set()
    for day in range(6):
        post = await services.daily.post_for(CHAT, date(2024, 3, 4) + timedelta(day))
        seen.add(post.question.item_id)
        if post.question.item_id == "cards/bn":
            assert post.question.options == ("Right option", "Wrong option A", "Wrong option B")
        else:
            assert len(post.question.options) == 4
            assert post.question.term is not None
    assert len(seen) == 6
