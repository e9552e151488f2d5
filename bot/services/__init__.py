"""The use cases. `build_services` wires them once, in the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from fsrs import Scheduler

from bot.content.bank import Bank
from bot.ports import Clock, Grader, Store
from bot.services.answers import AnswerService
from bot.services.base import Directory, Questions, Streaks, Topics, Zones
from bot.services.daily import DailyService
from bot.services.data import DataService
from bot.services.decks import DeckLimits, DeckService
from bot.services.interview import InterviewService
from bot.services.leaderboard import LeaderboardService
from bot.services.leases import LeaseService
from bot.services.marks import MarkService
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
    leases: LeaseService
    interviews: InterviewService
    decks: DeckService
    marks: MarkService


def build_services(
    store: Store,
    bank: Bank,
    clock: Clock,
    grader: Grader,
    *,
    default_timezone: str = "UTC",
    quiz_daily_points_cap: int = DEFAULT_POINTS_CAP,
    scheduler: Scheduler | None = None,
    deck_limits: DeckLimits | None = None,
) -> Services:
    """Build the shared helpers and the services once (Settings supply default_timezone and
    quiz_daily_points_cap; `bot.grading.factory.build_grader` the grader)."""
    directory = Directory(store, clock)
    zones = Zones(store, default_timezone)
    questions = Questions(bank)
    streaks = Streaks(store, clock, zones)
    topics = Topics(bank)
    recorder = Recorder(
        store, bank, grader, clock, directory, zones, questions, streaks,
        quiz_daily_points_cap=quiz_daily_points_cap, scheduler=scheduler,
    )
    quizzes = QuizService(store, bank, clock, directory, questions, topics, recorder)
    topic_service = TopicService(bank)
    marks = MarkService(store, clock)
    return Services(
        users=UserService(store, clock, directory, zones),
        schedules=ScheduleService(store, clock, directory, zones, topics, marks),
        daily=DailyService(store, clock, directory, zones, questions, topics),
        answers=AnswerService(store, questions, recorder, quizzes),
        reveals=RevealService(store, clock, directory, questions),
        quizzes=quizzes,
        reviews=ReviewService(store, bank, clock, directory, zones, questions, recorder),
        stats=StatsService(store, bank, clock, directory, zones, streaks),
        leaderboards=LeaderboardService(store, clock, directory, zones, streaks),
        data=DataService(store, bank, clock, directory),
        topics=topic_service,
        leases=LeaseService(store, clock),
        interviews=InterviewService(
            store, bank, clock, directory, questions, topics, recorder
        ),
        decks=DeckService(
            store, bank, clock, directory, topic_service, deck_limits or DeckLimits()
        ),
        marks=marks,
    )


__all__ = [
    "AnswerService",
    "DailyService",
    "DataService",
    "DeckService",
    "InterviewService",
    "LeaderboardService",
    "LeaseService",
    "MarkService",
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
