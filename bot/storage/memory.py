"""An in-process Store for tests and `memory://`; behaves exactly like the SQLite store."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.decks import StoredDeck
from bot.domain.interview import InterviewRound
from bot.domain.models import (
    AnswerContext,
    AnswerKind,
    AnswerRecord,
    AnswerStart,
    Chat,
    ChatKey,
    DailyPost,
    DueGroup,
    GroupKey,
    LeaderboardEntry,
    Lease,
    NewOutboxRow,
    OutboxHealth,
    OutboxKind,
    OutboxRow,
    OutboxStatus,
    PostResults,
    PostScore,
    QuizSession,
    QuizStatus,
    Report,
    ReviewCard,
    Schedule,
    SelectionState,
    User,
    UserKey,
    Verdict,
    daily_target,
)
from bot.domain.streaks import StoredStreak
from bot.errors import NotFoundError, StoreError
from bot.storage.memory_interviews import MemoryInterviews

log = logging.getLogger(__name__)

QUARTER_HOUR = 900


def _sec(instant: datetime) -> datetime:
    """Whole seconds in UTC, as the SQLite store keeps them."""
    if instant.tzinfo is None:
        raise ValueError("expected a timezone-aware datetime")
    return datetime.fromtimestamp(int(instant.timestamp()), UTC)


def _opt_sec(instant: datetime | None) -> datetime | None:
    return None if instant is None else _sec(instant)


class MemoryStore(MemoryInterviews):
    """Dictionaries behind the Store protocol; nothing survives the process."""

    def __init__(self) -> None:
        self.users: dict[UserKey, User] = {}
        self.chats: dict[ChatKey, Chat] = {}
        self.schedules: dict[ChatKey, Schedule] = {}
        self.posts: dict[int, DailyPost] = {}
        self.answers: dict[int, AnswerRecord] = {}
        self.reveals: dict[tuple[UserKey, str], int] = {}
        self.quizzes: dict[int, QuizSession] = {}
        self.cards: dict[tuple[UserKey, str], ReviewCard] = {}
        self.reports: dict[int, Report] = {}
        self.outbox: dict[int, OutboxRow] = {}
        self.post_messages: dict[int, str] = {}
        self.polls: dict[tuple[str, str], int] = {}
        self.private_ok_users: set[UserKey] = set()
        self.streaks: dict[UserKey, StoredStreak] = {}
        self.leases: dict[str, Lease] = {}
        self.grade_cache: dict[tuple[str, str, str], str] = {}
        self.interviews: dict[int, InterviewRound] = {}
        self.decks: dict[str, StoredDeck] = {}
        #: (kind, subject) -> (value, set at, the user it is about)
        self.marks: dict[tuple[str, str], tuple[str, datetime, UserKey | None]] = {}
        self._next_id: Counter[str] = Counter()

    def _new_id(self, kind: str) -> int:
        self._next_id[kind] += 1
        return self._next_id[kind]

    def _need_user(self, key: UserKey) -> User:
        user = self.users.get(key)
        if user is None:
            raise NotFoundError(f"unknown user {key}")
        return user

    def _need_chat(self, key: ChatKey) -> Chat:
        chat = self.chats.get(key)
        if chat is None:
            raise NotFoundError(f"unknown chat {key}")
        return chat

    async def close(self) -> None:
        return None

    # --- grade cache -----------------------------------------------------------------
    async def cached_grade(self, item_id: str, answer_hash: str, model: str) -> str | None:
        return self.grade_cache.get((item_id, answer_hash, model))

    async def cache_grade(
        self, item_id: str, answer_hash: str, model: str, payload: str, now: datetime
    ) -> None:
        self.grade_cache[(item_id, answer_hash, model)] = payload

    # --- marks -----------------------------------------------------------------------
    async def claim_mark(
        self, kind: str, subject: str, now: datetime, value: str = "", user: UserKey | None = None
    ) -> bool:
        if (kind, subject) in self.marks:
            return False
        self.marks[(kind, subject)] = (value, _sec(now), user if user in self.users else None)
        return True

    async def mark_value(self, kind: str, subject: str) -> str | None:
        mark = self.marks.get((kind, subject))
        return None if mark is None else mark[0]

    async def set_mark_value(self, kind: str, subject: str, value: str, now: datetime) -> None:
        mark = self.marks.get((kind, subject))
        if mark is None:
            self.marks[(kind, subject)] = (value, _sec(now), None)
        else:
            self.marks[(kind, subject)] = (value, mark[1], mark[2])

    async def prune_marks(self, kind: str, before: datetime) -> int:
        old = [key for key, mark in self.marks.items() if key[0] == kind and mark[1] < _sec(before)]
        for key in old:
            del self.marks[key]
        return len(old)

    # --- leases ----------------------------------------------------------------------
    async def take_lease(self, name: str, holder: str, now: datetime, ttl: timedelta) -> Lease:
        current = self.leases.get(name)
        if current is None or current.holder == holder or current.expires_at <= _sec(now):
            current = self.leases[name] = Lease(name, holder, _sec(now + ttl))
        return current

    async def release_lease(self, name: str, holder: str) -> None:
        current = self.leases.get(name)
        if current is not None and current.holder == holder:
            del self.leases[name]

    async def count_leases(self, prefix: str, now: datetime) -> int:
        return sum(
            1 for name, lease in self.leases.items()
            if name.startswith(prefix) and lease.expires_at > _sec(now)
        )

    # --- decks ----------------------------------------------------------------------
    async def add_deck(self, deck: StoredDeck, limit: int) -> bool:
        if sum(1 for d in self.decks.values() if d.scope == deck.scope) >= limit:
            return False
        if deck.id in self.decks:
            raise StoreError(f"deck {deck.id} already exists")
        self.decks[deck.id] = replace(deck, created=_sec(deck.created))
        return True

    async def list_decks(self, scope: str) -> list[StoredDeck]:
        found = [replace(d, body="") for d in self.decks.values() if d.scope == scope]
        return sorted(found, key=lambda d: (d.created, d.id))

    async def get_deck(self, deck_id: str) -> StoredDeck | None:
        return self.decks.get(deck_id)

    async def all_decks(self) -> list[StoredDeck]:
        return sorted(self.decks.values(), key=lambda d: (d.created, d.id))

    async def remove_deck(self, deck_id: str, scope: str) -> bool:
        deck = self.decks.get(deck_id)
        if deck is None or deck.scope != scope:
            return False
        del self.decks[deck_id]
        return True

    # --- users -----------------------------------------------------------------
    async def upsert_user(self, key: UserKey, display_name: str, now: datetime) -> User:
        user = self.users.get(key)
        if user is None:
            user = User(key=key, display_name=display_name, created_at=_sec(now))
        elif user.display_name != display_name:
            user = replace(user, display_name=display_name)
        self.users[key] = user
        return user

    async def get_user(self, key: UserKey) -> User | None:
        return self.users.get(key)

    async def set_user_timezone(self, key: UserKey, timezone: str | None) -> None:
        self.users[key] = replace(self._need_user(key), timezone=timezone)

    async def set_leaderboard_opt_out(self, key: UserKey, opt_out: bool) -> None:
        self.users[key] = replace(self._need_user(key), leaderboard_opt_out=opt_out)

    async def delete_user(self, key: UserKey) -> bool:
        if self.users.pop(key, None) is None:
            return False
        self.private_ok_users.discard(key)
        self.streaks.pop(key, None)
        self.answers = {i: a for i, a in self.answers.items() if a.user != key}
        self.reveals = {k: v for k, v in self.reveals.items() if k[0] != key}
        self.quizzes = {i: q for i, q in self.quizzes.items() if q.user != key}
        self.interviews = {i: r for i, r in self.interviews.items() if r.user != key}
        self.cards = {k: c for k, c in self.cards.items() if k[0] != key}
        self.reports = {i: r for i, r in self.reports.items() if r.user != key}
        self.marks = {k: m for k, m in self.marks.items() if m[2] != key}
        return True

    # --- chats -----------------------------------------------------------------
    async def upsert_chat(self, key: ChatKey, group: GroupKey, title: str, now: datetime) -> Chat:
        chat = self.chats.get(key)
        if chat is None:
            chat = Chat(key=key, group=group, title=title, seed=str(key), created_at=_sec(now))
        else:
            chat = replace(chat, group=group, title=title)
        self.chats[key] = chat
        return chat

    async def get_chat(self, key: ChatKey) -> Chat | None:
        return self.chats.get(key)

    async def migrate_chat(self, old: ChatKey, new: ChatKey, group: GroupKey | None) -> Chat:
        source = self._need_chat(old)
        target_group = group or source.group
        if new != old and new in self.chats:
            self._merge_into(old, new)
        moved = replace(source, key=new, group=target_group)
        del self.chats[old]
        self.chats[new] = moved
        if old in self.schedules:
            self.schedules[new] = replace(self.schedules.pop(old), chat=new)
        taken = {self._outbox_key(r) for r in self.outbox.values() if r.chat == new}
        for row_id, row in list(self.outbox.items()):
            moved_row = replace(row, chat=new)
            pending = row.chat == old and row.status is OutboxStatus.PENDING
            if pending and self._outbox_key(moved_row) not in taken:
                self.outbox[row_id] = moved_row
        for post_id, post in list(self.posts.items()):
            if post.chat == old:
                self.posts[post_id] = replace(post, chat=new)
        for answer_id, answer in list(self.answers.items()):
            if answer.chat == old:
                regroup = target_group if answer.group == source.group else answer.group
                self.answers[answer_id] = replace(answer, chat=new, group=regroup)
        for quiz_id, quiz in list(self.quizzes.items()):
            if quiz.chat == old:
                self.quizzes[quiz_id] = replace(quiz, chat=new)
        for round_id, round_ in list(self.interviews.items()):
            if round_.chat == old:
                self.interviews[round_id] = replace(round_, chat=new)
        return moved

    def _merge_into(self, old: ChatKey, new: ChatKey) -> None:
        """Fold the rows of an existing `new` chat into `old` before the rename."""
        old_dates = {p.local_date for p in self.posts.values() if p.chat == old}
        for post_id, post in list(self.posts.items()):
            if post.chat != new:
                continue
            if post.local_date in old_dates:
                del self.posts[post_id]
                for answer_id, answer in list(self.answers.items()):
                    if answer.post_id == post_id:
                        self.answers[answer_id] = replace(answer, post_id=None)
            else:
                self.posts[post_id] = replace(post, chat=old)
        active_old = {
            q.user for q in self.quizzes.values() if q.chat == old and q.status is QuizStatus.ACTIVE
        }
        for quiz_id, quiz in list(self.quizzes.items()):
            if quiz.chat == new:
                if quiz.status is QuizStatus.ACTIVE and quiz.user in active_old:
                    quiz = replace(quiz, status=QuizStatus.STOPPED)
                self.quizzes[quiz_id] = replace(quiz, chat=old)
        for answer_id, answer in list(self.answers.items()):
            if answer.chat == new:
                self.answers[answer_id] = replace(answer, chat=old)
        # As in SQL, the target chat's rounds go with its row (ON DELETE CASCADE).
        self.interviews = {i: r for i, r in self.interviews.items() if r.chat != new}
        new_schedule = self.schedules.pop(new, None)
        if new_schedule is not None and old not in self.schedules:
            self.schedules[old] = replace(new_schedule, chat=old)
        del self.chats[new]

    # --- schedules -------------------------------------------------------------
    async def save_schedule(self, schedule: Schedule) -> None:
        self._need_chat(schedule.chat)
        self.schedules[schedule.chat] = replace(
            schedule,
            next_post_utc=_opt_sec(schedule.next_post_utc),
            created_at=_sec(schedule.created_at),
            updated_at=_sec(schedule.updated_at),
        )

    async def get_schedule(self, chat: ChatKey) -> Schedule | None:
        return self.schedules.get(chat)

    async def delete_schedule(self, chat: ChatKey) -> bool:
        return self.schedules.pop(chat, None) is not None

    def _due(self, now: datetime) -> list[Schedule]:
        return [
            s
            for s in self.schedules.values()
            if not s.paused
            and s.next_post_utc is not None
            and s.next_post_utc <= now
            and (chat := self.chats.get(s.chat)) is not None
            and chat.broken_at is None
        ]

    @staticmethod
    def _group_of(s: Schedule) -> tuple[datetime, time, str, frozenset[int]]:
        assert s.next_post_utc is not None
        return (s.next_post_utc, s.local_time, s.timezone, s.weekdays)

    async def due_groups(self, now: datetime) -> list[DueGroup]:
        counts = Counter(self._group_of(s) for s in self._due(_sec(now)))
        return [
            DueGroup(local_time, zone, days, due, count)
            for (due, local_time, zone, days), count in sorted(
                counts.items(), key=lambda pair: (pair[0][0], pair[0][1], pair[0][2])
            )
        ]

    async def enqueue_group(
        self, group: DueGroup, local_date: date, next_post: datetime | None, limit: int
    ) -> tuple[int, int]:
        key = (_sec(group.due), group.local_time, group.timezone, group.weekdays)
        members = sorted(
            (s for s in self._due(key[0]) if self._group_of(s) == key),
            key=lambda s: (s.chat.platform, s.chat.chat_id),
        )[:limit]
        rows = [NewOutboxRow(s.chat, OutboxKind.DAILY, local_date, key[0]) for s in members]
        inserted = await self.commit_tick(rows, [(s.chat, next_post) for s in members])
        return len(members), inserted

    async def group_timezone(self, group: GroupKey) -> str | None:
        mine = [
            s
            for s in self.schedules.values()
            if s.chat in self.chats and self.chats[s.chat].group == group
        ]
        if not mine:
            return None
        return min(mine, key=lambda s: (s.created_at, s.chat)).timezone

    # --- daily posts -----------------------------------------------------------
    async def create_daily_post(
        self,
        chat: ChatKey,
        local_date: date,
        item_id: str,
        cycle: int,
        posted_at: datetime,
        reveal_at: datetime | None,
    ) -> DailyPost:
        self._need_chat(chat)
        existing = await self.get_daily_post(chat, local_date)
        if existing is not None:
            return existing
        post = DailyPost(
            id=self._new_id("post"),
            chat=chat,
            local_date=local_date,
            item_id=item_id,
            cycle=cycle,
            posted_at=_sec(posted_at),
            reveal_at=_opt_sec(reveal_at),
        )
        self.posts[post.id] = post
        return post

    async def get_daily_post(self, chat: ChatKey, local_date: date) -> DailyPost | None:
        for post in self.posts.values():
            if post.chat == chat and post.local_date == local_date:
                return post
        return None

    async def get_post(self, post_id: int) -> DailyPost | None:
        return self.posts.get(post_id)

    async def latest_daily_post(self, chat: ChatKey) -> DailyPost | None:
        mine = [p for p in self.posts.values() if p.chat == chat]
        return max(mine, key=lambda p: p.local_date) if mine else None

    async def selection_state(self, chat: ChatKey) -> SelectionState:
        mine = [p for p in self.posts.values() if p.chat == chat]
        if not mine:
            return SelectionState(0, frozenset(), None)
        cycle = max(p.cycle for p in mine)
        current = [p for p in mine if p.cycle == cycle]
        last = max(current, key=lambda p: p.local_date).item_id
        return SelectionState(cycle, frozenset(p.item_id for p in current), last)

    async def mark_post_revealed(self, post_id: int, at: datetime) -> bool:
        post = self.posts.get(post_id)
        if post is None:
            raise NotFoundError(f"unknown post {post_id}")
        if post.revealed_at is not None:
            return False
        self.posts[post_id] = replace(post, revealed_at=_sec(at))
        return True

    async def posts_due_for_reveal(self, now: datetime, limit: int) -> list[DailyPost]:
        now = _sec(now)
        due = [
            p
            for p in self.posts.values()
            if p.revealed_at is None and p.reveal_at is not None and p.reveal_at <= now
        ]
        due.sort(key=lambda p: (p.reveal_at, p.id))
        return due[:limit]

    async def post_results(self, post_id: int, limit: int) -> PostResults:
        mine = [a for a in self.answers.values() if a.post_id == post_id]
        mine.sort(key=lambda a: (-a.score, a.answered_at, a.id or 0))
        top = tuple(
            PostScore(
                a.user,
                self.users[a.user].display_name,
                a.verdict,
                a.score,
                a.points,
                a.answered_at,
            )
            for a in mine[:limit]
        )
        return PostResults(answered=len(mine), top=top)

    # --- answers ---------------------------------------------------------------
    async def answer_context(
        self, user: UserKey, chat: ChatKey, target: str, item_id: str
    ) -> AnswerContext:
        schedule = self.schedules.get(chat)
        return AnswerContext(
            user=self.users.get(user),
            chat=self.chats.get(chat),
            existing=await self.get_answer(user, target),
            reveals=self.reveals.get((user, target), 0),
            card=self.cards.get((user, item_id)),
            chat_timezone=schedule.timezone if schedule else None,
            streak=self.streaks.get(user),
        )

    async def answer_start(self, user: UserKey, chat: ChatKey) -> AnswerStart:
        quiz = await self.get_active_quiz(user, chat)
        if quiz is not None:
            return AnswerStart(quiz)
        post = await self.latest_daily_post(chat)
        if post is None:
            return AnswerStart(None)
        target = daily_target(post.id)
        return AnswerStart(None, post, await self.answer_context(user, chat, target, post.item_id))

    async def record_answer(
        self,
        answer: AnswerRecord,
        card: ReviewCard | None = None,
        quiz: QuizSession | None = None,
        streak: StoredStreak | None = None,
        *,
        newcomer: User | None = None,
    ) -> AnswerRecord | None:
        creating = newcomer is not None and answer.user not in self.users
        if not creating:
            self._need_user(answer.user)
        if answer.chat is not None:
            self._need_chat(answer.chat)
        if await self.get_answer(answer.user, answer.target) is not None:
            return None
        if quiz is not None and quiz.id not in self.quizzes:
            raise NotFoundError(f"unknown quiz session {quiz.id}")
        if creating and newcomer is not None:  # only now: a refused write creates nobody
            self.users[answer.user] = replace(
                newcomer, key=answer.user, created_at=_sec(newcomer.created_at)
            )
        stored = replace(answer, id=self._new_id("answer"), answered_at=_sec(answer.answered_at))
        self.answers[stored.id or 0] = stored
        if card is not None:
            await self.save_card(card)
        if quiz is not None:
            await self.update_quiz(quiz)
        if streak is not None:
            self.streaks[answer.user] = streak
        return stored

    async def streak_states(self, users: Sequence[UserKey]) -> dict[UserKey, StoredStreak]:
        return {user: self.streaks[user] for user in users if user in self.streaks}

    async def get_answer(self, user: UserKey, target: str) -> AnswerRecord | None:
        for answer in self.answers.values():
            if answer.user == user and answer.target == target:
                return answer
        return None

    async def points_between(
        self,
        user: UserKey,
        start: datetime | None,
        end: datetime | None,
        kinds: Collection[AnswerKind] | None = None,
    ) -> int:
        start, end = _opt_sec(start), _opt_sec(end)
        return sum(
            a.points
            for a in self.answers.values()
            if a.user == user
            and (start is None or a.answered_at >= start)
            and (end is None or a.answered_at < end)
            and (kinds is None or a.kind in kinds)
        )

    async def answer_times_many(
        self, users: Sequence[UserKey]
    ) -> dict[UserKey, list[datetime]]:
        return {user: await self.answer_times(user) for user in users}

    async def get_users(self, keys: Sequence[UserKey]) -> dict[UserKey, User]:
        return {key: self.users[key] for key in keys if key in self.users}

    async def answer_times(self, user: UserKey) -> list[datetime]:
        buckets = {
            int(a.answered_at.timestamp()) // QUARTER_HOUR
            for a in self.answers.values()
            if a.user == user
        }
        return [datetime.fromtimestamp(b * QUARTER_HOUR, UTC) for b in sorted(buckets)]

    async def verdict_counts(self, user: UserKey) -> list[tuple[str, Verdict, int]]:
        counts = Counter((a.item_id, a.verdict) for a in self.answers.values() if a.user == user)
        return sorted((item, verdict, n) for (item, verdict), n in counts.items())

    async def answered_item_ids(self, user: UserKey) -> set[str]:
        return {a.item_id for a in self.answers.values() if a.user == user}

    async def leaderboard_entries(
        self, group: GroupKey, start: datetime | None, end: datetime | None
    ) -> list[LeaderboardEntry]:
        start, end = _opt_sec(start), _opt_sec(end)
        per_user: dict[UserKey, list[AnswerRecord]] = {}
        for a in self.answers.values():
            if a.group != group:
                continue
            if (start is not None and a.answered_at < start) or (
                end is not None and a.answered_at >= end
            ):
                continue
            per_user.setdefault(a.user, []).append(a)
        entries = []
        for key, answers in per_user.items():
            user = self.users[key]
            if user.leaderboard_opt_out:
                continue
            earning = [a.answered_at for a in answers if a.points > 0]
            entries.append(
                LeaderboardEntry(
                    user=key,
                    display_name=user.display_name,
                    points=sum(a.points for a in answers),
                    answered=len(answers),
                    correct=sum(1 for a in answers if a.verdict is Verdict.CORRECT),
                    partial=sum(1 for a in answers if a.verdict is Verdict.PARTIAL),
                    reached_at=max(earning) if earning else min(a.answered_at for a in answers),
                )
            )
        return entries

    # --- platform state --------------------------------------------------------
    async def remember_poll(
        self, platform: str, poll_id: str, post_id: int, now: datetime
    ) -> None:
        if post_id not in self.posts:
            raise NotFoundError(f"unknown daily post {post_id}")
        self.polls[(platform, poll_id)] = post_id

    async def poll_post(self, platform: str, poll_id: str) -> DailyPost | None:
        post_id = self.polls.get((platform, poll_id))
        # A post deleted by a chat merge takes its polls with it, as in SQLite.
        return None if post_id is None else self.posts.get(post_id)

    async def set_private_ok(self, user: UserKey, ok: bool) -> bool:
        if user not in self.users:
            return False
        if ok:
            self.private_ok_users.add(user)
        else:
            self.private_ok_users.discard(user)
        return True

    async def private_ok(self, user: UserKey) -> bool:
        return user in self.private_ok_users

    # --- reveals ---------------------------------------------------------------
    async def record_reveal(self, user: UserKey, target: str, item_id: str, now: datetime) -> int:
        self._need_user(user)
        count = self.reveals.get((user, target), 0) + 1
        self.reveals[(user, target)] = count
        return count

    async def reveal_count(self, user: UserKey, target: str) -> int:
        return self.reveals.get((user, target), 0)

    # --- quiz sessions ---------------------------------------------------------
    async def create_quiz(self, session: QuizSession) -> QuizSession | None:
        self._need_user(session.user)
        self._need_chat(session.chat)
        if await self.get_active_quiz(session.user, session.chat) is not None:
            return None
        stored = replace(
            session,
            id=self._new_id("quiz"),
            started_at=_sec(session.started_at),
            ended_at=_opt_sec(session.ended_at),
        )
        self.quizzes[stored.id] = stored
        return stored

    async def get_quiz(self, session_id: int) -> QuizSession | None:
        return self.quizzes.get(session_id)

    async def get_active_quiz(self, user: UserKey, chat: ChatKey) -> QuizSession | None:
        for quiz in self.quizzes.values():
            if quiz.user == user and quiz.chat == chat and quiz.status is QuizStatus.ACTIVE:
                return quiz
        return None

    async def update_quiz(self, session: QuizSession) -> None:
        if session.id not in self.quizzes:
            raise NotFoundError(f"unknown quiz session {session.id}")
        self.quizzes[session.id] = replace(
            session, started_at=_sec(session.started_at), ended_at=_opt_sec(session.ended_at)
        )

    # --- spaced repetition -----------------------------------------------------
    async def get_card(self, user: UserKey, item_id: str) -> ReviewCard | None:
        return self.cards.get((user, item_id))

    async def save_card(self, card: ReviewCard) -> None:
        self._need_user(card.user)
        self.cards[(card.user, card.item_id)] = replace(
            card, due=_sec(card.due), last_review=_opt_sec(card.last_review)
        )

    async def due_cards(self, user: UserKey, now: datetime, limit: int) -> list[ReviewCard]:
        now = _sec(now)
        due = [c for (u, _), c in self.cards.items() if u == user and c.due <= now]
        due.sort(key=lambda c: (c.due, c.item_id))
        return due[:limit]

    async def count_due(self, user: UserKey, now: datetime) -> int:
        now = _sec(now)
        return sum(1 for (u, _), c in self.cards.items() if u == user and c.due <= now)

    async def next_due(self, user: UserKey, after: datetime) -> datetime | None:
        after = _sec(after)
        later = [c.due for (u, _), c in self.cards.items() if u == user and c.due > after]
        return min(later) if later else None

    # --- reports ---------------------------------------------------------------
    async def add_report(
        self, user: UserKey | None, item_id: str, reason: str, now: datetime
    ) -> Report:
        if user is not None:
            self._need_user(user)
        report = Report(self._new_id("report"), user, item_id, reason, _sec(now))
        self.reports[report.id] = report
        return report

    async def list_reports(self) -> list[Report]:
        return sorted(self.reports.values(), key=lambda r: (r.created_at, r.id))

    # --- outbox ------------------------------------------------------------------
    def _outbox_key(self, row: OutboxRow | NewOutboxRow) -> tuple[ChatKey, date, OutboxKind]:
        return (row.chat, row.local_date, row.kind)

    async def commit_tick(
        self, rows: Sequence[NewOutboxRow], advances: Sequence[tuple[ChatKey, datetime | None]]
    ) -> int:
        taken = {self._outbox_key(r) for r in self.outbox.values()}
        inserted = 0
        for new in rows:
            if self._outbox_key(new) in taken:
                continue
            taken.add(self._outbox_key(new))
            row_id = self._new_id("outbox")
            due = _sec(new.due_at)
            self.outbox[row_id] = OutboxRow(
                row_id,
                new.chat,
                new.kind,
                new.local_date,
                new.post_id,
                due,
                OutboxStatus.PENDING,
                0,
                due,
            )
            inserted += 1
        for chat, nxt in advances:
            if chat in self.schedules:
                self.schedules[chat] = replace(self.schedules[chat], next_post_utc=_opt_sec(nxt))
        return inserted

    async def reveals_to_enqueue(self, now: datetime, limit: int) -> list[DailyPost]:
        now = _sec(now)
        queued = {
            (r.chat, r.local_date) for r in self.outbox.values() if r.kind is OutboxKind.REVEAL
        }
        due = [
            p
            for p in self.posts.values()
            if p.revealed_at is None
            and p.reveal_at is not None
            and p.reveal_at <= now
            and (p.chat, p.local_date) not in queued
            and (chat := self.chats.get(p.chat)) is not None
            and chat.broken_at is None
        ]
        due.sort(key=lambda p: (p.reveal_at, p.id))
        return due[:limit]

    async def pending_outbox(self, platform: str, now: datetime, limit: int) -> list[OutboxRow]:
        now = _sec(now)
        rows = [
            r
            for r in self.outbox.values()
            if r.chat.platform == platform
            and r.status is OutboxStatus.PENDING
            and r.next_attempt_at <= now
        ]
        rows.sort(key=lambda r: (r.next_attempt_at, r.id))
        return rows[:limit]

    async def claim_outbox(
        self, platform: str, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxRow]:
        until = _sec(now + lease)
        claimed = []
        for row in await self.pending_outbox(platform, now, limit):
            self.outbox[row.id] = replace(row, next_attempt_at=until)
            claimed.append(self.outbox[row.id])
        return claimed

    async def update_outbox(
        self,
        row_id: int,
        *,
        status: OutboxStatus,
        attempts: int | None = None,
        next_attempt_at: datetime | None = None,
        message_id: str | None = None,
        sent_at: datetime | None = None,
        post_id: int | None = None,
        error: str | None = None,
    ) -> None:
        row = self.outbox[row_id]
        self.outbox[row_id] = replace(
            row,
            status=status,
            attempts=row.attempts if attempts is None else attempts,
            next_attempt_at=row.next_attempt_at
            if next_attempt_at is None
            else _sec(next_attempt_at),
            message_id=row.message_id if message_id is None else message_id,
            sent_at=row.sent_at if sent_at is None else _sec(sent_at),
            post_id=row.post_id if post_id is None else post_id,
            error=row.error if error is None else error[:500],
        )

    async def expire_outbox(self, platform: str, due_before: datetime) -> list[OutboxRow]:
        due_before = _sec(due_before)
        expired = [
            r
            for r in sorted(self.outbox.values(), key=lambda r: r.id)
            if r.chat.platform == platform
            and r.status is OutboxStatus.PENDING
            and r.due_at < due_before
        ]
        for row in expired:
            self.outbox[row.id] = replace(row, status=OutboxStatus.SKIPPED, error="too old to send")
        return expired

    async def outbox_health(self) -> OutboxHealth:
        pending = [r for r in self.outbox.values() if r.status is OutboxStatus.PENDING]
        return OutboxHealth(
            len(pending),
            min((r.due_at for r in pending), default=None),
            sum(1 for chat in self.chats.values() if chat.broken_at is not None),
        )

    async def outbox_rows(self, platform: str | None = None) -> list[OutboxRow]:
        return [
            r
            for _, r in sorted(self.outbox.items())
            if platform is None or r.chat.platform == platform
        ]

    async def set_post_message(self, post_id: int, message_id: str) -> None:
        if post_id in self.posts:
            self.post_messages[post_id] = message_id

    async def post_by_message(self, chat: ChatKey, message_id: str) -> DailyPost | None:
        for post_id, stored in self.post_messages.items():
            post = self.posts.get(post_id)
            if stored == message_id and post is not None and post.chat == chat:
                return post
        return None

    async def mark_chat_broken(self, chat: ChatKey, reason: str, at: datetime) -> bool:
        current = self.chats.get(chat)
        if current is None or current.broken_at is not None:
            return False
        self.chats[chat] = replace(current, broken_at=_sec(at), broken_reason=reason[:300])
        return True

    async def clear_chat_broken(self, chat: ChatKey) -> bool:
        current = self.chats.get(chat)
        if current is None or current.broken_at is None:
            return False
        self.chats[chat] = replace(current, broken_at=None, broken_reason=None)
        return True

    async def set_chat_feedback(self, chat: ChatKey, mode: str) -> bool:
        current = self.chats.get(chat)
        if current is None:
            return False
        self.chats[chat] = replace(current, feedback=mode)
        return True
