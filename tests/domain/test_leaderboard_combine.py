"""Entries of adjacent windows combined as one query over their union counts them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.leaderboard import combine, rank
from bot.domain.models import LeaderboardEntry, UserKey

T0 = datetime(2024, 3, 11, tzinfo=UTC)
ANN, BEN, CY = UserKey("telegram", "1"), UserKey("telegram", "2"), UserKey("telegram", "3")


def entry(user: UserKey, points: int, day: int, hour: int, answered: int = 1) -> LeaderboardEntry:
    return LeaderboardEntry(
        user, f"name {user.user_id}", points, answered, int(points > 0), 0,
        T0 + timedelta(days=day, hours=hour),
    )


def test_sums_and_the_last_earning_answer() -> None:
    monday = [entry(ANN, 10, 0, 9), entry(BEN, 0, 0, 8), entry(CY, 0, 0, 7)]
    tuesday = [entry(ANN, 0, 1, 5), entry(BEN, 10, 1, 6), entry(CY, 0, 1, 1)]
    wednesday = [entry(BEN, 0, 2, 3, answered=2)]
    merged = {e.user: e for e in combine([monday, tuesday, wednesday])}
    ann, ben, cy = merged[ANN], merged[BEN], merged[CY]
    assert (ann.points, ann.answered, ann.correct) == (10, 2, 1)
    assert ann.reached_at == T0 + timedelta(hours=9)  # Tuesday's answer earned nothing
    assert (ben.points, ben.answered) == (10, 4)
    assert ben.reached_at == T0 + timedelta(days=1, hours=6)
    assert cy.points == 0 and cy.reached_at == T0 + timedelta(hours=7)  # no earning: first
    # Same points: Ann's accuracy (1 correct of 2) beats Ben's (1 of 4).
    assert [r.entry.user for r in rank(merged.values())] == [ANN, BEN, CY]


def test_nothing_to_combine() -> None:
    assert combine([]) == [] and combine([[], []]) == []
