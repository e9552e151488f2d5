"""Spaced repetition with fsrs: a card per user and graded item, reviews most overdue first."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fsrs import Card, Rating

from bot.content.bank import Bank
from bot.domain.models import AnswerKind, ChatKey, UserKey, review_target
from bot.domain.numbers import parse_int
from bot.errors import InvalidInputError, NotFoundError, Notice
from bot.ports import Clock, Store
from bot.services.base import Directory, Questions, Zones
from bot.services.recording import RATINGS, Recorder, review_card
from bot.services.results import AnswerResult, RatingResult, ReviewPrompt

log = logging.getLogger(__name__)

_SCAN = 50
# A rating this soon after a verdict-derived review is about that answer and replaces its
# derived rating; a later one (say, a due card revealed days on) is a new review.
REPLACE_WINDOW = timedelta(hours=1)


def parse_rating(value: str | int | Rating) -> Rating:
    """again / hard / good / easy, or 1-4."""
    if isinstance(value, Rating):
        return value
    text = str(value).strip().lower()
    number = parse_int(text, low=1, high=4)
    if number is not None:
        return Rating(number)
    if text in RATINGS:
        return RATINGS[text]
    raise InvalidInputError(
        Notice("Rate with again, hard, good or easy (or 1-4), not '{rating}'.", rating=value)
    )


class ReviewService:
    def __init__(
        self,
        store: Store,
        bank: Bank,
        clock: Clock,
        directory: Directory,
        zones: Zones,
        questions: Questions,
        recorder: Recorder,
    ) -> None:
        self.store = store
        self.bank = bank
        self.clock = clock
        self.directory = directory
        self.zones = zones
        self.questions = questions
        self.recorder = recorder
        self.scheduler = recorder.scheduler  # ratings and answers move the same cards

    async def next(self, user: UserKey, chat: ChatKey | None = None) -> ReviewPrompt:
        """The most overdue card still in the bank, how many are due, and the next due time
        (in the user's time zone)."""
        now = self.clock.now()
        due = [c for c in await self.store.due_cards(user, now, _SCAN) if self.bank.item(c.item_id)]
        count = await self.store.count_due(user, now) if len(due) == _SCAN else len(due)
        if due:
            question = self.questions.view(self.questions.item(due[0].item_id), AnswerKind.REVIEW)
            return ReviewPrompt(question, count, None)
        next_due = await self.store.next_due(user, now)
        if next_due is not None:
            next_due = await self._local(user, chat, next_due)
        return ReviewPrompt(None, 0, next_due)

    async def _local(self, user: UserKey, chat: ChatKey | None, when: datetime) -> datetime:
        """`when` in the user's zone, so every platform's plain text shows local time."""
        zone = await self.zones.of_user(await self.directory.user(user), chat)
        return when.astimezone(ZoneInfo(zone))

    async def answer(
        self,
        user: UserKey,
        chat: ChatKey,
        item_id: str,
        text: str | None = None,
        *,
        choice: int | str | None = None,
    ) -> AnswerResult:
        """Answer a review card; the verdict reschedules it unless the user rates it."""
        card = await self.store.get_card(user, item_id)
        if card is None:
            raise NotFoundError(
                Notice("That question is not among your reviews; answer it first.")
            )
        recorded = await self.recorder.record(
            user_key=user,
            chat_key=chat,
            item=self.questions.item(item_id),
            kind=AnswerKind.REVIEW,
            target=review_target(item_id, card.due),
            text=text,
            choice=choice,
        )
        return recorded.result

    async def rate(
        self,
        user: UserKey,
        item_id: str,
        rating: str | int | Rating,
        chat: ChatKey | None = None,
    ) -> RatingResult:
        """Again / Hard / Good / Easy after an answer or a reveal, dated now.

        Within REPLACE_WINDOW of a review whose rating was derived from the verdict, this
        rating replaces that one; otherwise it is a new review. The due time comes back in
        the user's time zone.
        """
        chosen = parse_rating(rating)
        self.questions.item(item_id)
        await self.directory.user(user)
        now = self.clock.now()
        card = await self.store.get_card(user, item_id)
        replaced = (
            card is not None
            and card.prev_card_json is not None
            and card.last_review is not None
            and now - card.last_review <= REPLACE_WINDOW
        )
        if card is not None and replaced:
            base: str | None = card.prev_card_json
        else:
            base = card.card_json if card else None
        reviewed = review_card(self.scheduler, user, item_id, base, chosen, now, derived=False)
        await self.store.save_card(reviewed)
        due = await self._local(user, chat, reviewed.due)
        return RatingResult(item_id, chosen.name.lower(), due, replaced)

    def card_state(self, card_json: str) -> Card:
        """Decode stored fsrs state (for adapters that show stability or due dates)."""
        return Card.from_json(card_json)
