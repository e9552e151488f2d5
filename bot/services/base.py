"""Small helpers the services share, built once by `build_services` and passed to the
services that need them: users and chats, time zones, question views, streaks, topics."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from bot.content.bank import Bank
from bot.content.schema import Item
from bot.domain.choices import options_for
from bot.domain.models import AnswerKind, Chat, ChatKey, DailyPost, GroupKey, User, UserKey
from bot.domain.schedule import local_date
from bot.domain.streaks import (
    StoredStreak,
    Streak,
    StreakState,
    state_at,
    streak_of,
    usable_state,
)
from bot.domain.timeparse import closest
from bot.domain.views import QuestionView
from bot.errors import Command, InvalidInputError, NotFoundError, Notice, did_you_mean
from bot.ports import Clock, PostStore, Store
from bot.services.results import StreakView

log = logging.getLogger(__name__)

DIFFICULTIES = ("easy", "medium", "hard")
# How close (rapidfuzz WRatio, 0-100) a name must be to be suggested: "atention" finds
# attention, "nosuchtopic" finds nothing rather than arbitrary tags.
TOPIC_MATCH_CUTOFF = 75.0


class Directory:
    """Users and chats, created on first sight so no command fails for a newcomer; adapters
    call UserService.ensure_user/ensure_chat to record names and groups."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def user(self, key: UserKey) -> User:
        user = await self.store.get_user(key)
        if user is None:
            user = await self.store.upsert_user(key, key.user_id, self.clock.now())
        return user

    async def chat(self, key: ChatKey) -> Chat:
        chat = await self.store.get_chat(key)
        if chat is None:
            chat = await self.store.upsert_chat(key, GroupKey.of_chat(key), "", self.clock.now())
        return chat


class Zones:
    """Which time zone counts: a user's own, else the chat's schedule's, else the default."""

    def __init__(self, store: Store, default: str = "UTC") -> None:
        self.store = store
        self.default = default

    async def of_chat(self, chat: ChatKey | None) -> str:
        if chat is not None:
            schedule = await self.store.get_schedule(chat)
            if schedule is not None:
                return schedule.timezone
        return self.default

    async def of_user(self, user: User, chat: ChatKey | None) -> str:
        """The user's own zone, else the chat's schedule zone, else the default."""
        return user.timezone or await self.of_chat(chat)


class Questions:
    """Items of the bank and their views, with the one cache of option orders."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self._option_cache: dict[str, tuple[str, ...]] = {}

    def item(self, item_id: str) -> Item:
        item = self.bank.item(item_id)
        if item is None:
            raise NotFoundError(
                Notice("The question {id} is no longer in the question bank.", id=item_id)
            )
        return item

    def options(self, item: Item) -> tuple[str, ...]:
        # Seeded by the item id: everyone sees the same order, and an answer given by
        # index maps to the same option whenever it arrives. Cached: the bank is loaded once.
        cached = self._option_cache.get(item.id)
        if cached is None:
            # An uploaded deck draws its distractors from itself, never from other chats'.
            owned = self.bank.decks.get(item.deck_id) if item.deck_id in self.bank.owners else None
            corpus = owned.items if owned is not None else self.bank.view(None).items.values()
            cached = options_for(item, corpus, item.id)
            self._option_cache[item.id] = cached
        return cached

    def view(
        self,
        item: Item,
        kind: AnswerKind,
        position: int | None = None,
        total: int | None = None,
    ) -> QuestionView:
        return QuestionView(
            item_id=item.id,
            kind=kind,
            type=item.type,
            question=item.question,
            options=self.options(item),
            tags=tuple(item.tags),
            difficulty=item.difficulty.value,
            term=item.term,
            position=position,
            total=total,
        )


class Streaks:
    """Users' streaks now, each counted in the zone that counts for them."""

    def __init__(self, store: Store, clock: Clock, zones: Zones) -> None:
        self.store = store
        self.clock = clock
        self.zones = zones

    async def view(self, user: User, chat: ChatKey | None) -> StreakView:
        zone = await self.zones.of_user(user, chat)
        streak = (await self.now({user.key: zone}))[user.key]
        return StreakView(streak.current, streak.best, streak.freezes, streak.answered_today)

    async def now(self, zones: Mapping[UserKey, str]) -> dict[UserKey, Streak]:
        """Each user's streak now, counted in the zone given for them."""
        now = self.clock.now()
        states = await self.states(zones, await self.store.streak_states(list(zones)))
        return {
            user: streak_of(state, local_date(now, zones[user])) for user, state in states.items()
        }

    async def state(
        self, user: UserKey, zone: str, stored: StoredStreak | None, today: date
    ) -> StreakState | None:
        """`states` for one user whose stored streak is at hand (the answer path)."""
        state = usable_state(stored, zone, today)
        if state is not None:
            return state
        return (await self.states({user: zone}, {}))[user]

    async def states(
        self, zones: Mapping[UserKey, str], stored: Mapping[UserKey, StoredStreak]
    ) -> dict[UserKey, StreakState | None]:
        """Each user's streak state in their zone: the stored one where it counts that zone,
        else counted from the answers (answers from before streaks were stored, or a zone
        change)."""
        now = self.clock.now()
        states: dict[UserKey, StreakState | None] = {}
        for user, zone in zones.items():
            state = usable_state(stored.get(user), zone, local_date(now, zone))
            if state is not None:
                states[user] = state
        missing = [user for user in zones if user not in states]
        if missing:
            times = await self.store.answer_times_many(missing)
            for user in missing:
                states[user] = state_at(times[user], zones[user], now)
        return states


class Topics:
    """Topic names (tags and deck ids) and the items they select."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank

    def names(self, scope: str | None = None) -> list[str]:
        """Every valid topic: tags of the vocabulary or in use, and deck ids (with the decks
        `scope` uploaded)."""
        bank = self.bank.view(scope)
        return sorted(set(bank.tags) | set(bank.used_tags()) | set(bank.decks))

    def resolve(self, topics: Iterable[str], scope: str | None = None) -> tuple[str, ...]:
        """Validated topic names (case-insensitive); unknown ones name the closest."""
        known = {name.lower(): name for name in self.names(scope)}
        resolved: list[str] = []
        for raw in topics:
            name = raw.strip().strip(",").lower()
            if not name:
                continue
            if name not in known:
                raise InvalidInputError(
                    Notice(
                        "Unknown topic '{topic}'.{hint} Topics are tags or deck ids (see "
                        "{topics}).",
                        topic=raw.strip(),
                        hint=did_you_mean(closest(name, known.values(), 3, TOPIC_MATCH_CUTOFF)),
                        topics=Command.TOPICS,
                    )
                )
            if known[name] not in resolved:
                resolved.append(known[name])
        return tuple(resolved)

    def pool(
        self, topics: Sequence[str], difficulty: str | None = None, scope: str | None = None
    ) -> list[Item]:
        items = self.bank.view(scope).pool(topics)
        if difficulty is not None:
            items = [item for item in items if item.difficulty.value == difficulty]
        return items


def parse_difficulty(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    value = text.strip().lower()
    if value not in DIFFICULTIES:
        raise InvalidInputError(
            Notice(
                "Unknown difficulty '{difficulty}'.{hint} Choose one of: {difficulties}.",
                difficulty=text,
                hint=did_you_mean(closest(value, DIFFICULTIES, 3)),
                difficulties=", ".join(DIFFICULTIES),
            )
        )
    return value


def split_topics(topics: str | Sequence[str] | None) -> list[str]:
    """Topics from `a, b c` or a list."""
    if topics is None:
        return []
    if isinstance(topics, str):
        return [part for part in topics.replace(",", " ").split() if part]
    return [part for topic in topics for part in topic.replace(",", " ").split() if part]


NO_DAILY = Notice(
    "There is no daily question in this chat yet; try {quiz} to practise.", quiz=Command.QUIZ
)


async def daily_post(store: PostStore, chat: ChatKey, post_id: int | None = None) -> DailyPost:
    """The daily post `post_id`, else the chat's latest; NotFoundError when there is none."""
    if post_id is not None:
        post = await store.get_post(post_id)
    else:
        post = await store.latest_daily_post(chat)
    if post is None:
        raise NotFoundError(NO_DAILY)
    return post
