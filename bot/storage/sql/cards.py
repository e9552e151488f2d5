"""Spaced-repetition review cards: one per user and item."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import ReviewCard, UserKey
from bot.storage.sql.codecs import _opt_dt, _ts, _uk, card_of, card_params
from bot.storage.sql.core import USER_REF, Script, SqlCore, execute, user_pk


def save_card_sql(user_ref: str = "?") -> str:
    """Insert or replace a card; `user_ref` is the SQL for its user's internal id."""
    return (
        "INSERT INTO review_cards (user_ref, item_id, card, prev_card, due, last_review) "
        f"VALUES ({user_ref}, ?, ?, ?, ?, ?) ON CONFLICT (user_ref, item_id) DO UPDATE SET "
        "card = excluded.card, prev_card = excluded.prev_card, due = excluded.due, "
        "last_review = excluded.last_review"
    )


SAVE_CARD = save_card_sql()
#: SAVE_CARD by the user's key (two parameters) instead of the internal id.
SAVE_CARD_BY_KEY = save_card_sql(USER_REF)


class SqlCards(SqlCore):
    """The ReviewCardStore part of the SQL stores."""

    async def get_card(self, user: UserKey, item_id: str) -> ReviewCard | None:
        row = await self._one(
            f"SELECT * FROM review_cards WHERE user_ref = {USER_REF} AND item_id = ?",
            *_uk(user),
            item_id,
        )
        return card_of(user, row) if row else None

    async def save_card(self, card: ReviewCard) -> None:
        def script() -> Script[None]:
            pk = yield from user_pk(card.user)
            yield from execute(SAVE_CARD, pk, *card_params(card))

        await self._write(script())

    async def due_cards(self, user: UserKey, now: datetime, limit: int) -> list[ReviewCard]:
        rows = await self._all(
            f"SELECT * FROM review_cards WHERE user_ref = {USER_REF} AND due <= ? "
            "ORDER BY due, item_id LIMIT ?",
            *_uk(user),
            _ts(now),
            limit,
        )
        return [card_of(user, row) for row in rows]

    async def count_due(self, user: UserKey, now: datetime) -> int:
        row = await self._one(
            f"SELECT COUNT(*) FROM review_cards WHERE user_ref = {USER_REF} AND due <= ?",
            *_uk(user),
            _ts(now),
        )
        return int(row[0]) if row else 0

    async def next_due(self, user: UserKey, after: datetime) -> datetime | None:
        row = await self._one(
            f"SELECT MIN(due) FROM review_cards WHERE user_ref = {USER_REF} AND due > ?",
            *_uk(user),
            _ts(after),
        )
        return _opt_dt(row[0]) if row else None
