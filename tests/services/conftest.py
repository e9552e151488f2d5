"""Services over both stores (the `store` fixture), a fake clock and a small bank."""

from __future__ import annotations

import pytest
from fsrs import Scheduler

from bot.content.bank import Bank
from bot.grading.lexical import LexicalGrader
from bot.ports import Store
from bot.services import Services, build_services
from tests.factories import FakeClock, standard_bank


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bank() -> Bank:
    return standard_bank()


@pytest.fixture
def services(store: Store, bank: Bank, clock: FakeClock) -> Services:
    return build_services(
        store,
        bank,
        clock,
        LexicalGrader(),
        default_timezone="UTC",
        quiz_daily_points_cap=50,
        scheduler=Scheduler(enable_fuzzing=False),
    )
