"""Store contract (memory, SQLite, PostgreSQL): quiz sessions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.models import (
    SKIPPED,
    QuizStatus,
)
from bot.errors import NotFoundError
from bot.ports import InspectableStore
from tests.storage.contract.support import (
    ALICE,
    BOB,
    CHAT,
    T0,
    quiz,
    seed,
)


async def test_quiz_one_active_per_user_and_chat(store: InspectableStore) -> None:
    await seed(store)
    first = await store.create_quiz(quiz())
    assert first is not None and first.id > 0
    assert await store.create_quiz(quiz()) is None
    assert await store.get_active_quiz(ALICE, CHAT) == first
    other = await store.create_quiz(quiz(BOB))
    assert other is not None and other.id != first.id
    done = replace(
        first,
        position=2,
        outcomes=("correct", SKIPPED),
        status=QuizStatus.STOPPED,
        ended_at=T0 + timedelta(minutes=3),
    )
    await store.update_quiz(done)
    assert await store.get_quiz(first.id) == done
    assert await store.get_active_quiz(ALICE, CHAT) is None
    assert await store.create_quiz(quiz()) is not None
    with pytest.raises(NotFoundError):
        await store.update_quiz(replace(done, id=999))
