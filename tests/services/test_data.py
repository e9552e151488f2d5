from __future__ import annotations

from datetime import timedelta

import pytest

from bot.errors import InvalidInputError
from bot.ports import InspectableStore
from bot.services import Services
from tests.factories import ALICE, BOB, CHAT, GOOD, FakeClock


async def activity(services: Services, user: object) -> None:
    await services.daily.today(CHAT)
    await services.answers.answer(user, CHAT, GOOD)  # type: ignore[arg-type]
    await services.quizzes.start(user, CHAT, "cnn", 2)  # type: ignore[arg-type]
    await services.reveals.reveal(user, CHAT)  # type: ignore[arg-type]


async def test_forget_needs_confirmation_then_deletes_everything(
    services: Services, store: InspectableStore, clock: FakeClock
) -> None:
    await services.users.ensure_user(ALICE, "Alice")
    await services.users.ensure_user(BOB, "Bob")
    await services.users.set_timezone(ALICE, "Europe/Berlin")
    await activity(services, ALICE)
    await activity(services, BOB)
    await services.data.report(ALICE, "dl/q01", "typo")

    request = await services.data.request_forget(ALICE)
    assert request.expires_at == clock.now() + timedelta(minutes=10)
    assert await store.get_user(ALICE) is not None  # nothing deleted before confirming
    with pytest.raises(InvalidInputError, match="does not match"):
        await services.data.confirm_forget(ALICE, "wrong")
    result = await services.data.confirm_forget(ALICE, request.code)
    assert result.deleted

    assert await store.get_user(ALICE) is None
    assert await store.answer_times(ALICE) == []
    assert await store.answered_item_ids(ALICE) == set()
    assert await store.get_active_quiz(ALICE, CHAT) is None
    assert await store.count_due(ALICE, clock.now() + timedelta(days=365)) == 0
    assert await store.list_reports() == []
    board = await services.leaderboards.leaderboard(CHAT, BOB, "all")
    assert [r.user for r in board.rows] == [BOB]
    assert (await services.stats.stats(BOB, CHAT)).answered == 1
    with pytest.raises(InvalidInputError, match="No deletion is pending"):
        await services.data.confirm_forget(ALICE, request.code)


async def test_forget_code_expires(services: Services, clock: FakeClock) -> None:
    await services.users.ensure_user(ALICE, "Alice")
    request = await services.data.request_forget(ALICE)
    clock.advance(minutes=11)
    with pytest.raises(InvalidInputError, match="expired"):
        await services.data.confirm_forget(ALICE, request.code)
    assert await services.data.store.get_user(ALICE) is not None
    assert services.data.cancel_forget(ALICE) is False


async def test_reports(services: Services, clock: FakeClock) -> None:
    first = await services.data.report(ALICE, "dl/q01", "  the answer has a typo ")
    clock.advance(minutes=1)
    second = await services.data.report(BOB, "cards/relu", "wrong definition")
    assert first.reason == "the answer has a typo"
    assert [(r.item_id, r.user) for r in await services.data.reports()] == [
        ("dl/q01", ALICE), ("cards/relu", BOB)
    ]
    assert second.created_at == clock.now()
    with pytest.raises(InvalidInputError, match="Did you mean: dl/q01"):
        await services.data.report(ALICE, "dl/q1", "x")
    with pytest.raises(InvalidInputError, match="Say what is wrong"):
        await services.data.report(ALICE, "dl/q01", "  ")
    with pytest.raises(InvalidInputError, match="under 1000"):
        await services.data.report(ALICE, "dl/q01", "x" * 1001)
