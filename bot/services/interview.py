"""Mock interviews: a timed round of related questions, one follow-up per question when an
answer misses a key point, and a report at the end (use cases: start, answer, follow-up,
stop, expire, resume, report).

Idle rounds are ended on the learner's next message (any interview call checks first), so
the report reaches them where they are; a restart resumes active rounds with the clock of
the current question counting from the restart (`resume_all`, called at startup).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from fsrs import Card

from bot.content.bank import Bank
from bot.content.schema import Item
from bot.domain.interview import (
    DEFAULT_MINUTES,
    DEFAULT_QUESTIONS,
    MAX_MINUTES,
    MAX_QUESTIONS,
    MIN_MINUTES,
    MIN_QUESTIONS,
    RECENT,
    InterviewQuestion,
    InterviewRound,
    RoundStatus,
    TagScore,
    by_tag,
    choose_questions,
    follow_up_for,
    idle_expired,
    is_late,
    lifted,
    overall_score,
    question_score,
    reminder_at,
    seconds_between,
    study_next,
    wants_follow_up,
    weakest_tag,
)
from bot.domain.models import (
    AnswerKind,
    ChatKey,
    ReviewCard,
    UserKey,
    Verdict,
    interview_target,
)
from bot.domain.views import QuestionView
from bot.errors import Command, InvalidInputError, NotFoundError, Notice
from bot.ports import Clock, Store
from bot.services.base import Directory, Questions, Topics
from bot.services.recording import Recorder, _card_id
from bot.services.results import ItemRef

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"[+-]?\d+")
STOP_WORDS = frozenset({"stop", "end", "quit"})
SCORES_SHOWN = 3
NO_INTERVIEW = Notice(
    "You have no interview running; start one with {interview}.",
    interview=Command.INTERVIEW_USAGE,
)


def _usage() -> Notice:
    return Notice(
        "Usage: {interview}: {low}-{high} questions, {short}-{long} minutes each.",
        interview=Command.INTERVIEW_USAGE,
        low=MIN_QUESTIONS, high=MAX_QUESTIONS, short=MIN_MINUTES, long=MAX_MINUTES,
    )


@dataclass(frozen=True)
class InterviewPrompt:
    """What to send: a question of the round, or its follow-up."""

    round_id: int
    position: int  # 1-based
    total: int
    minutes: int
    question: QuestionView
    follow_up: str | None = None  # the follow-up question, when this prompt is one
    follow_up_point: str | None = None
    neutral: bool = False  # the key point has no follow-up of its own in the bank
    resumed: bool = False  # shown again after a restart
    asked_at: datetime | None = None

    @property
    def difficulty(self) -> str:
        return self.question.difficulty


@dataclass(frozen=True)
class QuestionReport:
    position: int
    item_id: str
    question: str
    difficulty: str
    verdict: Verdict | None  # None: not answered
    score: int  # 0-100
    seconds: int | None
    late: bool
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    contradicted: tuple[str, ...]
    follow_up_point: str | None
    follow_up_covered: bool | None


@dataclass(frozen=True)
class InterviewReport:
    round_id: int
    chat: ChatKey  # where the round ran (its report belongs there, not in a group)
    status: RoundStatus
    topic: str | None
    minutes: int
    total: int
    answered: int
    overall: int  # out of 100
    points: int
    questions: tuple[QuestionReport, ...]
    strengths: tuple[TagScore, ...]
    weak_spots: tuple[TagScore, ...]
    study: tuple[ItemRef, ...]  # put in the review queue, due now
    next_topic: str | None  # a topic to /quiz next, when the round showed a weak one
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class AnswerNote:
    """How one answer in a round went, told briefly (the detail waits for the report)."""

    position: int
    verdict: Verdict
    seconds: int
    late: bool
    follow_up: bool  # the answer was to a follow-up
    covered_point: bool | None  # a follow-up's point: covered or not
    points: int
    capped: bool


@dataclass(frozen=True)
class InterviewStep:
    """After an answer: a note on it and the next prompt (a follow-up or the next
    question), or the report; `expired` when the round had ended itself before it."""

    note: AnswerNote | None
    prompt: InterviewPrompt | None
    report: InterviewReport | None
    expired: bool = False


@dataclass(frozen=True)
class InterviewStart:
    """A started round, or `conflict`: the running one's current prompt."""

    prompt: InterviewPrompt | None
    requested: int
    conflict: InterviewPrompt | None = None
    expired: InterviewReport | None = None  # an idle round that ended itself first


@dataclass(frozen=True)
class ResumedRound:
    """A round resumed after a restart, whose current prompt its platform sends again."""

    user: UserKey
    chat: ChatKey  # where the round runs
    prompt: InterviewPrompt  # marked resumed


@dataclass(frozen=True)
class InterviewArgs:
    topic: str | None
    questions: int | None
    minutes: int | None
    stop: bool = False


@dataclass(eq=False)
class InterviewService:
    store: Store
    bank: Bank
    clock: Clock
    directory: Directory
    questions: Questions
    topics: Topics
    recorder: Recorder
    # Rounds this process resumed after a restart, by id -> the question resumed (1-based).
    _resumed: dict[int, int] = field(default_factory=dict, init=False)
    # Resumed rounds whose prompt was handed to their platform to send again.
    _resent: set[int] = field(default_factory=set, init=False)

    # --- arguments ---------------------------------------------------------------------
    def parse_args(self, args: Sequence[str]) -> InterviewArgs:
        """`/interview [topic] [questions] [minutes]` or `/interview stop`."""
        words = [a.strip() for a in args if a.strip()]
        if len(words) == 1 and words[0].lower() in STOP_WORDS:
            return InterviewArgs(None, None, None, stop=True)
        usage = _usage()
        numbers = [int(w) for w in words if _NUMBER.fullmatch(w)]
        others = [w for w in words if not _NUMBER.fullmatch(w)]
        if len(numbers) > 2 or len(others) > 1:
            raise InvalidInputError(usage)
        count = numbers[0] if numbers else None
        minutes = numbers[1] if len(numbers) > 1 else None
        self._check(count, minutes, usage)
        return InterviewArgs(others[0] if others else None, count, minutes)

    @staticmethod
    def _check(count: int | None, minutes: int | None, usage: Notice) -> None:
        if count is not None and not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
            raise InvalidInputError(
                Notice(
                    "A round has {low} to {high} questions, not {count}. {usage}",
                    low=MIN_QUESTIONS, high=MAX_QUESTIONS, count=count, usage=usage,
                )
            )
        if minutes is not None and not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise InvalidInputError(
                Notice(
                    "Each question allows {short} to {long} minutes, not {minutes}. {usage}",
                    short=MIN_MINUTES, long=MAX_MINUTES, minutes=minutes, usage=usage,
                )
            )

    # --- use cases ---------------------------------------------------------------------
    async def start(
        self,
        user: UserKey,
        chat: ChatKey,
        topic: str | None = None,
        questions: int | None = None,
        minutes: int | None = None,
    ) -> InterviewStart:
        """Start a round in `chat` (the learner's private place); one per user at a time."""
        count = DEFAULT_QUESTIONS if questions is None else questions
        per_question = DEFAULT_MINUTES if minutes is None else minutes
        self._check(count, per_question, _usage())
        topics = self.topics.resolve([topic]) if topic else ()
        await self.directory.user(user)
        await self.directory.chat(chat)
        running, expired = await self._live(user)
        if running is not None:
            return InterviewStart(None, count, conflict=self._prompt(running))
        now = self.clock.now()
        recent = await self._recent_correct(user, now)
        chosen = choose_questions(
            self.topics.pool(topics), recent, count, f"{user}\x1f{now.isoformat()}"
        )
        if not chosen:
            raise InvalidInputError(
                Notice(
                    "No open questions for {what} yet; try another topic ({topics}).",
                    what=topic or "any topic", topics=Command.TOPICS,
                )
            )
        first = InterviewQuestion(chosen[0], asked_at=now)
        created = await self.store.create_interview(
            InterviewRound(
                id=0,
                user=user,
                chat=chat,
                topic=topics[0] if topics else None,
                minutes=per_question,
                questions=(first, *(InterviewQuestion(item) for item in chosen[1:])),
                position=0,
                status=RoundStatus.ACTIVE,
                started_at=now,
                last_activity=now,
            )
        )
        if created is None:  # started concurrently
            running = await self.store.get_active_interview(user)
            assert running is not None
            return InterviewStart(None, count, conflict=self._prompt(running), expired=expired)
        log.info("interview %d for %s: %d questions", created.id, user, len(chosen))
        return InterviewStart(self._prompt(created), count, expired=expired)

    async def current(self, user: UserKey) -> InterviewPrompt | None:
        """The running round's current prompt (None without one)."""
        running, _ = await self._live(user)
        if running is None:
            return None
        prompt = self._prompt(running)
        if prompt is not None and self._resumed.get(running.id) == prompt.position:
            return replace(prompt, resumed=True)
        return prompt

    async def running(self, user: UserKey, chat: ChatKey | None = None) -> bool:
        """Whether the user has a round running (in `chat`, when given); an idle one that
        should have ended counts, so the next message ends it with a report."""
        round_ = await self.store.get_active_interview(user)
        return round_ is not None and (chat is None or round_.chat == chat)

    async def answer(self, user: UserKey, text: str) -> InterviewStep:
        """Answer the current question or its follow-up."""
        running, expired = await self._live(user)
        if running is None:
            if expired is not None:
                return InterviewStep(None, None, expired, expired=True)
            raise NotFoundError(NO_INTERVIEW)
        question = running.current
        assert question is not None
        if question.awaiting_follow_up:
            return await self._follow_up(running, question, text)
        return await self._main_answer(running, question, text)

    async def stop(self, user: UserKey) -> InterviewReport:
        """End the round early with a report of what was answered."""
        running, expired = await self._live(user)
        if running is None:
            if expired is not None:
                return expired
            raise NotFoundError(NO_INTERVIEW)
        return await self._end(running, RoundStatus.STOPPED)

    async def expire(self, user: UserKey) -> InterviewReport | None:
        """End the user's round if it was left idle too long; its report, else None."""
        _, expired = await self._live(user)
        return expired

    async def resume_all(self) -> list[InterviewPrompt]:
        """After a restart: every active round's clock counts from now (the time the bot
        was away is not the learner's)."""
        now = self.clock.now()
        prompts: list[InterviewPrompt] = []
        for round_ in await self.store.active_interviews():
            question = round_.current
            if question is None:
                continue
            if question.awaiting_follow_up:
                question = replace(question, follow_up_asked_at=now)
            elif not question.answered:
                question = replace(question, asked_at=now)
            resumed = replace(
                round_.with_question(round_.position, question), last_activity=now,
                reminded=False,
            )
            await self.store.save_interview(resumed)
            try:
                prompt = self._prompt(resumed)
            except NotFoundError:  # its deck was removed: the learner's next message ends it
                log.warning("interview %d resumed without its question %s", round_.id,
                            question.item_id)
                continue
            if prompt is not None:
                self._resumed[resumed.id] = prompt.position
                prompts.append(replace(prompt, resumed=True))
        if prompts:
            log.info("resumed %d interview rounds", len(prompts))
        return prompts

    async def take_resumed(self, platform: str) -> list[ResumedRound]:
        """The rounds on `platform` that `resume_all` resumed and that still wait on the same
        prompt, each handed out once: the platform sends the prompt again, marked resumed."""
        taken: list[ResumedRound] = []
        for round_ in await self.store.active_interviews():
            position = self._resumed.get(round_.id)
            if round_.chat.platform != platform or position is None or round_.id in self._resent:
                continue
            self._resent.add(round_.id)
            try:
                prompt = self._prompt(round_)
            except NotFoundError:
                continue
            if prompt is not None and prompt.position == position:
                taken.append(ResumedRound(round_.user, round_.chat, replace(prompt, resumed=True)))
        return taken

    async def report(self, round_id: int) -> InterviewReport:
        round_ = await self.store.get_interview(round_id)
        if round_ is None:
            raise NotFoundError(NO_INTERVIEW)
        return await self._report(round_)

    async def reminder_due(self, user: UserKey, round_id: int, position: int) -> datetime | None:
        """When the one-minute reminder for question `position` (1-based) is due, if it
        still is (the round runs, is on that question, and has not reminded yet)."""
        round_ = await self.store.get_active_interview(user)
        if round_ is None or round_.id != round_id or round_.position + 1 != position:
            return None
        return reminder_at(round_)

    async def mark_reminded(self, user: UserKey, round_id: int, position: int) -> bool:
        """Record the reminder as sent; False if it no longer applies."""
        round_ = await self.store.get_active_interview(user)
        if round_ is None or round_.id != round_id or round_.position + 1 != position:
            return False
        if reminder_at(round_) is None:
            return False
        await self.store.save_interview(replace(round_, reminded=True))
        return True

    async def scores(self, user: UserKey) -> tuple[int, list[int]]:
        """(rounds ended, the last three overall scores, newest first)."""
        return await self.store.interview_scores(user, SCORES_SHOWN)

    # --- steps -------------------------------------------------------------------------
    async def _main_answer(
        self, round_: InterviewRound, question: InterviewQuestion, text: str
    ) -> InterviewStep:
        item = self.questions.item(question.item_id)
        now = self.clock.now()
        asked = question.asked_at or now
        recorded = await self.recorder.record(
            user_key=round_.user,
            chat_key=round_.chat,
            item=item,
            kind=AnswerKind.INTERVIEW,
            target=interview_target(round_.id, round_.position),
            text=text,
            choice=None,
        )
        result = recorded.result
        seconds = seconds_between(asked, now)
        late = is_late(asked, now, round_.allowed)
        answered = replace(
            question,
            answered_at=now,
            seconds=seconds,
            late=late,
            verdict=result.verdict,
            score=result.score,
            covered=result.covered,
            missed=result.missed,
            contradicted=result.contradicted,
        )
        note = AnswerNote(
            round_.position + 1, result.verdict, seconds, late, False, None,
            result.points, result.capped,
        )
        point = follow_up_for(item, result.missed) if wants_follow_up(
            result.verdict, result.missed
        ) else None
        if point is not None:
            answered = replace(
                answered,
                follow_up_point=point.text,
                follow_up_text=point.follow_up,
                follow_up_asked_at=now,
            )
            updated = replace(
                round_.with_question(round_.position, answered), last_activity=now
            )
            await self.store.save_interview(updated)
            return InterviewStep(note, self._prompt(updated), None)
        return await self._advance(round_.with_question(round_.position, answered), note, now)

    async def _follow_up(
        self, round_: InterviewRound, question: InterviewQuestion, text: str
    ) -> InterviewStep:
        item = self.questions.item(question.item_id)
        point = next((p for p in item.key_points if p.text == question.follow_up_point), None)
        now = self.clock.now()
        covered = False
        if point is not None:
            # Graded against that key point alone: a one-point copy of the item.
            alone = item.model_copy(update={"key_points": [point], "misconceptions": []})
            grade = self.recorder.grade(alone, text, None)
            covered = point.text in grade.covered
        else:
            self.recorder.grade(item, text, None)  # the same checks on the text (empty, too long)
        done = lifted(
            replace(question, follow_up_answered_at=now, follow_up_covered=covered),
            item,
            covered,
        )
        asked = question.follow_up_asked_at or now
        note = AnswerNote(
            round_.position + 1, question.verdict or Verdict.PARTIAL,
            seconds_between(asked, now), is_late(asked, now, round_.allowed), True, covered,
            0, False,
        )
        return await self._advance(round_.with_question(round_.position, done), note, now)

    async def _advance(
        self, round_: InterviewRound, note: AnswerNote, now: datetime
    ) -> InterviewStep:
        position = round_.position + 1
        if position >= round_.total:
            report = await self._end(replace(round_, position=position), RoundStatus.FINISHED)
            return InterviewStep(note, None, report)
        next_question = replace(round_.questions[position], asked_at=now)
        updated = replace(
            round_.with_question(position, next_question),
            position=position,
            last_activity=now,
            reminded=False,
        )
        await self.store.save_interview(updated)
        return InterviewStep(note, self._prompt(updated), None)

    async def _live(
        self, user: UserKey
    ) -> tuple[InterviewRound | None, InterviewReport | None]:
        """The user's running round, or None with the report of one that just ended itself
        for being idle."""
        round_ = await self.store.get_active_interview(user)
        if round_ is None:
            return None, None
        if idle_expired(round_, self.clock.now()):
            log.info("interview %d for %s expired (idle)", round_.id, user)
            return None, await self._end(round_, RoundStatus.EXPIRED)
        return round_, None

    async def _end(self, round_: InterviewRound, status: RoundStatus) -> InterviewReport:
        now = self.clock.now()
        ended = replace(round_, status=status, ended_at=now, score=overall_score(round_))
        await self.store.save_interview(ended)
        await self._queue_study(ended, now)
        return await self._report(ended)

    async def _queue_study(self, round_: InterviewRound, now: datetime) -> None:
        """The items to study next go into the review queue, due now."""
        for item_id in study_next(round_):
            card = await self.store.get_card(round_.user, item_id)
            if card is None:
                fsrs = Card(card_id=_card_id(round_.user, item_id), due=now)
                card = ReviewCard(round_.user, item_id, fsrs.to_json(), now)
            fsrs = Card.from_json(card.card_json)
            fsrs.due = now
            await self.store.save_card(
                ReviewCard(
                    user=card.user,
                    item_id=item_id,
                    card_json=fsrs.to_json(),
                    due=now,
                    last_review=card.last_review,
                    prev_card_json=card.prev_card_json,
                )
            )

    async def _report(self, round_: InterviewRound) -> InterviewReport:
        items = {q.item_id: self.bank.item(q.item_id) for q in round_.questions}
        known = {item_id: item for item_id, item in items.items() if item is not None}
        strengths, weak = by_tag(round_, known)
        points = 0
        for position, _question in enumerate(round_.questions):
            record = await self.store.get_answer(
                round_.user, interview_target(round_.id, position)
            )
            points += record.points if record else 0
        return InterviewReport(
            round_id=round_.id,
            chat=round_.chat,
            status=round_.status,
            topic=round_.topic,
            minutes=round_.minutes,
            total=round_.total,
            answered=len(round_.answered),
            overall=overall_score(round_) if round_.score is None else round_.score,
            points=points,
            questions=tuple(
                self._question_report(i + 1, q, known.get(q.item_id))
                for i, q in enumerate(round_.questions)
                if q.asked_at is not None or q.answered
            ),
            strengths=strengths,
            weak_spots=weak,
            study=tuple(
                ItemRef(item_id, known[item_id].question if item_id in known else item_id)
                for item_id in study_next(round_)
            ),
            next_topic=weakest_tag(round_, known, (round_.topic,) if round_.topic else ()),
            started_at=round_.started_at,
            ended_at=round_.ended_at,
        )

    @staticmethod
    def _question_report(
        position: int, question: InterviewQuestion, item: Item | None
    ) -> QuestionReport:
        return QuestionReport(
            position=position,
            item_id=question.item_id,
            question=item.question if item else question.item_id,
            difficulty=item.difficulty.value if item else "",
            verdict=question.verdict,
            score=question_score(question),
            seconds=question.seconds,
            late=question.late,
            covered=question.covered,
            missed=question.missed,
            contradicted=question.contradicted,
            follow_up_point=question.follow_up_point,
            follow_up_covered=question.follow_up_covered,
        )

    def _prompt(self, round_: InterviewRound) -> InterviewPrompt | None:
        question = round_.current
        if question is None:
            return None
        item = self.questions.item(question.item_id)
        view = self.questions.view(item, AnswerKind.INTERVIEW, round_.position + 1, round_.total)
        if question.awaiting_follow_up:
            return InterviewPrompt(
                round_.id, round_.position + 1, round_.total, round_.minutes, view,
                follow_up=question.follow_up_text or question.follow_up_point,
                follow_up_point=question.follow_up_point,
                neutral=question.follow_up_text is None,
                asked_at=question.follow_up_asked_at,
            )
        return InterviewPrompt(
            round_.id, round_.position + 1, round_.total, round_.minutes, view,
            asked_at=question.asked_at,
        )

    async def _recent_correct(self, user: UserKey, now: datetime) -> set[str]:
        """Items the user answered correctly in the last 14 days."""
        return await self.store.correct_item_ids_since(user, now - RECENT)
