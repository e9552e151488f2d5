"""Points per verdict and the daily cap on quiz and review points."""

from __future__ import annotations

from bot.domain.models import AnswerKind, Verdict

POINTS: dict[Verdict, int] = {Verdict.CORRECT: 10, Verdict.PARTIAL: 5, Verdict.INCORRECT: 1}
CAPPED_KINDS: frozenset[AnswerKind] = frozenset(
    {AnswerKind.QUIZ, AnswerKind.REVIEW, AnswerKind.INTERVIEW}
)


def points_for(verdict: Verdict) -> int:
    """Correct 10, partial 5, incorrect 1: answering at all is worth something."""
    return POINTS[verdict]


def cap_points(points: int, earned_today: int, cap: int) -> int:
    """What is left of `points` under a daily `cap` after `earned_today`."""
    return max(0, min(points, cap - earned_today))
