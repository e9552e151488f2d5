"""Grading an answer and storing it with its points and spaced-repetition card."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

from bot.content.bank import Bank
from bot.content.schema import Item, ItemType
from bot.domain.choices import same_option
from bot.domain.grading import correct_choice
from bot.domain.models import (
    AnswerContext,
    AnswerKind,
    AnswerRecord,
    ChatKey,
    GradeResult,
    QuizSession,
    ReviewCard,
    User,
    UserKey,
    Verdict,
)
from bot.domain.numbers import parse_int
from bot.domain.points import CAPPED_KINDS, cap_points, points_for
from bot.domain.schedule import day_bounds_utc, local_date
from bot.domain.streaks import StoredStreak, Streak, StreakState, advance, streak_of
from bot.errors import Command, InvalidInputError, Notice
from bot.ports import Clock, Grader, Store
from bot.services.base import Directory, Questions, Streaks, Zones
from bot.services.results import AnswerResult, StreakView

log = logging.getLogger(__name__)

DEFAULT_POINTS_CAP = 50
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}

QuizUpdate = Callable[[GradeResult, int], QuizSession]
AsyncGrade = Callable[[Item, str], Awaitable[GradeResult]]


def derived_rating(verdict: Verdict, forfeited: bool) -> Rating:
    """A rating from the verdict when the user gives none; a peek means no recall."""
    if forfeited or verdict is Verdict.INCORRECT:
        return Rating.Again
    return Rating.Good if verdict is Verdict.CORRECT else Rating.Hard


def freeze_change(before: StreakState | None, after: StreakState) -> tuple[bool, bool]:
    """(spent, earned): whether advancing `before` to `after` spent or earned a freeze."""
    if before is None or after == before:
        return False, False
    spent = (after.last_day - before.last_day).days == 2 and before.freezes > 0 < before.current
    return spent, after.freezes > before.freezes - spent


def _card_id(user: UserKey, item_id: str) -> int:
    # Stable ids; fsrs would otherwise use the wall clock (and sleep a millisecond).
    return int(hashlib.sha256(f"{user}\x1f{item_id}".encode()).hexdigest()[:12], 16)


def review_card(
    scheduler: Scheduler,
    user: UserKey,
    item_id: str,
    base_json: str | None,
    rating: Rating,
    at: datetime,
    *,
    derived: bool,
) -> ReviewCard:
    """Review the card (new if `base_json` is None) and keep the base if the rating is derived."""
    at = at.astimezone(UTC)
    base = Card.from_json(base_json) if base_json else Card(card_id=_card_id(user, item_id), due=at)
    reviewed, _log = scheduler.review_card(base, rating, at)
    return ReviewCard(
        user=user,
        item_id=item_id,
        card_json=reviewed.to_json(),
        due=reviewed.due,
        last_review=at,
        # The stored text is the base as it was (review_card copies, never changes it).
        prev_card_json=(base_json or base.to_json()) if derived else None,
    )


@dataclass(frozen=True)
class Recorded:
    result: AnswerResult
    record: AnswerRecord | None
    quiz: QuizSession | None


#: What a self-graded answer is recorded as until the learner rates it: no verdict to give,
#: so "partial" (its derived review rating, Hard, is replaced by the learner's own).
SELF_GRADED = GradeResult(Verdict.PARTIAL, 0.0)
PARTICIPATION_POINTS = points_for(Verdict.INCORRECT)


def is_self_graded(item: Item) -> bool:
    """Open items without key points: the grader has nothing to compare an answer with."""
    return item.type is ItemType.OPEN and not item.key_points


class Recorder:
    """The answer path shared by daily questions, quizzes and reviews."""

    def __init__(
        self,
        store: Store,
        bank: Bank,
        grader: Grader,
        clock: Clock,
        directory: Directory,
        zones: Zones,
        questions: Questions,
        streaks: Streaks,
        *,
        quiz_daily_points_cap: int = DEFAULT_POINTS_CAP,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.store = store
        self.bank = bank
        self.grader = grader
        # An optional stage that waits on a model server is awaited, never run inline.
        self._grade_async: AsyncGrade | None = getattr(grader, "grade_async", None)
        self.slow_grading = bool(getattr(grader, "slow", False))
        self.clock = clock
        self.directory = directory
        self.zones = zones
        self.questions = questions
        self.streaks = streaks
        self.cap = quiz_daily_points_cap
        self.scheduler = scheduler or Scheduler()

    def grade(self, item: Item, text: str | None, choice: int | str | None) -> GradeResult:
        """Grade free text, or a choice given as a 1-based number or the option text."""
        if choice is not None:
            return self.grader.grade_choice(item, self._chosen(item, choice))
        if text is None or not text.strip():
            raise InvalidInputError(
                Notice("Write your answer after the command: {answer}", answer=Command.ANSWER)
            )
        if is_self_graded(item):
            return SELF_GRADED
        return self.grader.grade(item, text)

    async def grade_async(
        self, item: Item, text: str | None, choice: int | str | None
    ) -> GradeResult:
        """`grade`, through the grader's awaitable stage when it has one (free text only)."""
        if self._grade_async is None or choice is not None or text is None or not text.strip():
            return self.grade(item, text, choice)
        return await self._grade_async(item, text)

    async def record(
        self,
        *,
        user_key: UserKey,
        chat_key: ChatKey,
        item: Item,
        kind: AnswerKind,
        target: str,
        text: str | None,
        choice: int | str | None,
        post_id: int | None = None,
        forfeit: bool = False,
        quiz_update: QuizUpdate | None = None,
        context: AnswerContext | None = None,
    ) -> Recorded:
        """Grade; store the first answer to `target` with points, card and quiz progress.

        The hot path: one read round trip for the context (none when the caller read it
        with `answer_start`), one write transaction.
        """
        if self._grade_async is None:  # the usual case: no awaitable stage, no extra await
            grade = self.grade(item, text, choice)
        else:
            grade = await self.grade_async(item, text, choice)
        now = self.clock.now()
        if context is None:
            context = await self.store.answer_context(user_key, chat_key, target, item.id)
        user = context.user
        chat = context.chat or await self.directory.chat(chat_key)
        zone = (user.timezone if user else None) or context.chat_timezone or self.zones.default
        today = local_date(now, zone)
        # A newcomer has no answers to count, and is created by the answer's own write.
        newcomer = None if user else User(user_key, user_key.user_id, now)
        before = None
        if user is not None:
            before = await self.streaks.state(user_key, zone, context.streak, today)
        if context.existing is not None:
            result = self._result(item, kind, grade, streak_of(before, today), 0, counted=False,
                                  forfeited=context.existing.forfeited, capped=False)
            return Recorded(self._with_choice(result, item, choice), None, None)
        forfeited = forfeit or context.reveals > 0
        earned = 0 if forfeited else points_for(grade.verdict)
        if is_self_graded(item) and choice is None and not forfeited:
            earned = PARTICIPATION_POINTS  # it cannot be checked: only the participation point
        points = earned
        if kind in CAPPED_KINDS and earned:
            so_far = 0
            if user is not None:
                start, end = day_bounds_utc(today, zone)
                so_far = await self.store.points_between(user_key, start, end, CAPPED_KINDS)
            points = cap_points(earned, so_far, self.cap)
        card = review_card(
            self.scheduler,
            user_key,
            item.id,
            context.card.card_json if context.card else None,
            derived_rating(grade.verdict, forfeited),
            now,
            derived=True,
        )
        record = AnswerRecord(
            user=user_key,
            chat=chat_key,
            group=chat.group,
            kind=kind,
            target=target,
            item_id=item.id,
            verdict=grade.verdict,
            score=grade.score,
            points=points,
            forfeited=forfeited,
            answered_at=now,
            post_id=post_id,
        )
        quiz = quiz_update(grade, points) if quiz_update else None
        after = advance(before, today)
        # A second answer the same day leaves the stored streak as it is: nothing to write.
        streak = StoredStreak(zone, after)
        stored = await self.store.record_answer(
            record, card, quiz, None if streak == context.streak else streak, newcomer=newcomer
        )
        if stored is None:  # a concurrent first answer won the race
            result = self._result(item, kind, grade, streak_of(before, today), 0, counted=False,
                                  forfeited=forfeited, capped=False)
            return Recorded(self._with_choice(result, item, choice), None, None)
        log.debug("answer %s by %s: %s, %d points", target, user_key, grade.verdict, points)
        spent, gained = freeze_change(before, after)
        result = self._result(item, kind, grade, streak_of(after, today), points, counted=True,
                              forfeited=forfeited, capped=points < earned,
                              freeze_spent=spent, freeze_earned=gained)
        return Recorded(self._with_choice(result, item, choice), stored, quiz)

    def _chosen(self, item: Item, choice: int | str) -> str:
        """The option text a choice names: a 1-based number, or the text itself."""
        options = self.questions.options(item)
        if not options:
            raise InvalidInputError(
                Notice("This question has no options; answer in your own words.")
            )
        number = choice if isinstance(choice, int) else parse_int(choice.strip())
        if number is None:
            assert isinstance(choice, str)
            return choice
        if not 1 <= number <= len(options):
            raise InvalidInputError(
                Notice("Choose an option from 1 to {count}.", count=len(options))
            )
        return options[number - 1]

    def _with_choice(
        self, result: AnswerResult, item: Item, choice: int | str | None
    ) -> AnswerResult:
        """Feedback on a choice: the option picked and why it is wrong (the mcq option's
        `why`, or which term a flashcard definition belongs to), never key points the learner
        did not write."""
        if choice is None:
            return result
        chosen = self._chosen(item, choice)
        return replace(
            result, covered=(), missed=(), contradicted=(), chosen_option=chosen,
            why=self._why(item, chosen),
        )

    def _why(self, item: Item, chosen: str) -> str | None:
        if item.options:
            option = next((o for o in item.options if same_option(o.text, chosen)), None)
            return option.why if option is not None and option.why else None
        right = correct_choice(item)
        if right is None or same_option(right, chosen):
            return None
        owner = next(
            (
                other
                for other in self.bank.items.values()
                if other.definition and other.term and same_option(other.definition, chosen)
            ),
            None,
        )
        return f"That describes {owner.term}, not {item.term}." if owner else None

    def _result(
        self,
        item: Item,
        kind: AnswerKind,
        grade: GradeResult,
        streak: Streak,
        points: int,
        *,
        counted: bool,
        forfeited: bool,
        capped: bool,
        freeze_spent: bool = False,
        freeze_earned: bool = False,
    ) -> AnswerResult:
        return AnswerResult(
            item_id=item.id,
            kind=kind,
            verdict=grade.verdict,
            score=grade.score,
            covered=grade.covered,
            missed=grade.missed,
            misconceptions=grade.misconceptions,
            contradicted=grade.contradicted,
            notes=grade.notes,
            feedback=grade.feedback,
            fallback=grade.fallback,
            points=points,
            counted=counted,
            forfeited=forfeited,
            capped=capped,
            short_answer=item.short_answer,
            self_graded=is_self_graded(item) and grade is SELF_GRADED,
            reference=item.answer if grade is SELF_GRADED else "",
            correct_option=correct_choice(item) if self.questions.options(item) else None,
            streak=StreakView(
                streak.current, streak.best, streak.freezes, streak.answered_today
            ),
            freeze_spent=freeze_spent,
            freeze_earned=freeze_earned,
        )
