"""The use cases. `build_services` wires them once, in the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from fsrs import Scheduler

from bot.content.bank import Bank
from bot.grading.lexical import LexicalGrader
from bot.ports import Clock, Grader, Store
from bot.services.answers import AnswerService
from bot.services.daily import DailyService
from bot.services.data import DataService
from bot.services.leaderboard import LeaderboardService
from bot.services.quiz import QuizService
from bot.services.recording import DEFAULT_POINTS_CAP, Recorder
from bot.services.reveal import RevealService
from bot.services.reviews import ReviewService
from bot.services.schedules import ScheduleService
from bot.services.stats import StatsService
from bot.services.topics import TopicService
from bot.services.users import UserService


@dataclass(frozen=True)
class Services:
    """Every use case, sharing one store, bank, grader and clock."""

    users: UserService
    schedules: ScheduleService
    daily: DailyService
    answers: AnswerService
    reveals: RevealService
    quizzes: QuizService
    reviews: ReviewService
    stats: StatsService
    leaderboards: LeaderboardService
    data: DataService
    topics: TopicService


def build_services(
    store: Store,
    bank: Bank,
    clock: Clock,
    *,
    grader: Grader | None = None,
    default_timezone: str = "UTC",
    quiz_daily_points_cap: int = DEFAULT_POINTS_CAP,
    scheduler: Scheduler | None = None,
) -> Services:
    """Build the services (Settings supply default_timezone and quiz_daily_points_cap)."""
    chosen = grader or LexicalGrader()
    tz = default_timezone
    recorder = Recorder(
        store, bank, chosen, clock, default_timezone=tz,
        quiz_daily_points_cap=quiz_daily_points_cap, scheduler=scheduler,
    )
    quizzes = QuizService(store, bank, chosen, clock, default_timezone=tz, recorder=recorder)
    return Services(
        users=UserService(store, bank, clock, default_timezone=tz),
        schedules=ScheduleService(store, bank, clock, default_timezone=tz),
        daily=DailyService(store, bank, clock, default_timezone=tz),
        answers=AnswerService(
            store, bank, chosen, clock, default_timezone=tz, recorder=recorder, quizzes=quizzes
        ),
        reveals=RevealService(store, bank, clock, default_timezone=tz),
        quizzes=quizzes,
        reviews=ReviewService(store, bank, chosen, clock, default_timezone=tz, recorder=recorder),
        stats=StatsService(store, bank, clock, default_timezone=tz),
        leaderboards=LeaderboardService(store, bank, clock, default_timezone=tz),
        data=DataService(store, bank, clock, default_timezone=tz),
        topics=TopicService(store, bank, clock, default_timezone=tz),
    )


__all__ = [
    "AnswerService",
    "DailyService",
    "DataService",
    "LeaderboardService",
    "QuizService",
    "RevealService",
    "ReviewService",
    "ScheduleService",
    "Services",
    "StatsService",
    "TopicService",
    "UserService",
    "build_services",
]
