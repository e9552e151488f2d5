"""The answer path's store traffic: one read round trip before the answer's one write."""

from __future__ import annotations

from typing import Any, cast

from fsrs import Scheduler

from bot.content.bank import Bank
from bot.domain.models import AnswerKind, UserKey
from bot.grading.lexical import LexicalGrader
from bot.ports import InspectableStore, Store
from bot.services import Services, build_services
from tests.factories import ALICE, BAD, BOB, CHAT, GOOD, OTHER_CHAT, FakeClock


class CountingStore:
    """The store, with the name of every method the services call on it recorded."""

    def __init__(self, inner: InspectableStore) -> None:
        self._inner = inner
        self.calls: list[str] = []
        self.arguments: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            self.arguments.append((*args, kwargs))
            return attribute(*args, **kwargs)

        return call


def counted(
    store: InspectableStore, bank: Bank, clock: FakeClock
) -> tuple[Services, CountingStore]:
    counting = CountingStore(store)
    services = build_services(
        cast(Store, counting),
        bank,
        clock,
        LexicalGrader(),
        default_timezone="UTC",
        scheduler=Scheduler(enable_fuzzing=False),
    )
    return services, counting


async def test_a_daily_answer_reads_once_then_writes_once(
    services: Services, store: InspectableStore, bank: Bank, clock: FakeClock
) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    await services.daily.today(CHAT)
    await services.answers.answer(BOB, CHAT, BAD)  # yesterday's answer: a stored streak
    clock.advance(days=1)
    await services.daily.today(CHAT)
    watched, counting = counted(store, bank, clock)

    first = await watched.answers.answer(BOB, CHAT, GOOD)
    assert first.counted and first.kind is AnswerKind.DAILY and first.streak.current == 2
    assert counting.calls == ["answer_start", "record_answer"]

    counting.calls.clear()
    again = await watched.answers.answer(BOB, CHAT, BAD)
    assert not again.counted and again.points == 0
    assert counting.calls == ["answer_start"]  # already answered: nothing to write


async def test_an_answer_during_a_quiz_goes_to_the_quiz(
    services: Services, store: InspectableStore, bank: Bank, clock: FakeClock
) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    await services.daily.today(CHAT)
    await services.quizzes.start(ALICE, CHAT)
    watched, counting = counted(store, bank, clock)
    result = await watched.answers.answer(ALICE, CHAT, GOOD)
    assert result.kind is AnswerKind.QUIZ
    assert counting.calls[0] == "answer_start"
    assert "latest_daily_post" not in counting.calls


async def test_a_newcomers_first_answer_creates_them_in_its_write(
    services: Services, store: InspectableStore, bank: Bank, clock: FakeClock
) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    await services.daily.today(CHAT)
    newcomer = UserKey("telegram", "999")
    watched, counting = counted(store, bank, clock)

    result = await watched.answers.answer(newcomer, CHAT, GOOD)
    assert result.counted and result.streak.current == 1
    assert counting.calls == ["answer_start", "record_answer"]
    user = await store.get_user(newcomer)
    assert user is not None and user.display_name == "999"


async def test_a_second_answer_the_same_day_leaves_the_stored_streak_alone(
    services: Services, store: InspectableStore, bank: Bank, clock: FakeClock
) -> None:
    for chat in (CHAT, OTHER_CHAT):
        await services.schedules.subscribe(chat, "09:00", "UTC", topics="dl")
        await services.daily.today(chat)
    first = await services.answers.answer(BOB, CHAT, GOOD)
    stored = (await store.streak_states([BOB]))[BOB]
    watched, counting = counted(store, bank, clock)

    def streak_written() -> object:
        arguments = counting.arguments[counting.calls.index("record_answer")]
        return arguments[3]  # record_answer(answer, card, quiz, streak, ...)

    second = await watched.answers.answer(BOB, OTHER_CHAT, GOOD)
    assert second.counted and second.streak == first.streak
    assert streak_written() is None  # nothing to write: the day is already counted
    assert (await store.streak_states([BOB]))[BOB] == stored
    clock.advance(days=1)
    await services.daily.today(CHAT)
    counting.calls.clear()
    counting.arguments.clear()
    third = await watched.answers.answer(BOB, CHAT, GOOD)
    assert third.streak.current == 2 and streak_written() is not None
