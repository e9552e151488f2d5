"""Uploaded decks: one row each, holding the validated deck as JSON."""

from __future__ import annotations

from bot.domain.decks import StoredDeck
from bot.storage.sql.codecs import Row, _dt, _ts
from bot.storage.sql.core import Script, SqlCore, execute, fetch_all, fetch_one

DECK_COLUMNS = "id, scope, owner, name, format, created, item_count"
COUNT_DECKS = "SELECT COUNT(*) FROM decks WHERE scope = ?"
INSERT_DECK = (
    "INSERT INTO decks (id, scope, owner, name, format, created, item_count, body) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
LIST_DECKS = f"SELECT {DECK_COLUMNS} FROM decks WHERE scope = ? ORDER BY created, id"
GET_DECK = f"SELECT {DECK_COLUMNS}, body FROM decks WHERE id = ?"
ALL_DECKS = f"SELECT {DECK_COLUMNS}, body FROM decks ORDER BY created, id"
DELETE_DECK = "DELETE FROM decks WHERE id = ? AND scope = ?"


def _deck(row: Row, with_body: bool) -> StoredDeck:
    return StoredDeck(
        id=str(row[0]),
        scope=str(row[1]),
        owner=str(row[2]),
        name=str(row[3]),
        format=str(row[4]),
        created=_dt(int(row[5])),
        item_count=int(row[6]),
        body=str(row[7]) if with_body else "",
    )


def add_deck_script(deck: StoredDeck, limit: int) -> Script[bool]:
    """Insert the deck unless its scope already holds `limit` decks."""
    row = yield from fetch_one(COUNT_DECKS, deck.scope)
    if row is not None and int(row[0]) >= limit:
        return False
    yield from execute(
        INSERT_DECK, deck.id, deck.scope, deck.owner, deck.name, deck.format,
        _ts(deck.created), deck.item_count, deck.body,
    )
    return True


def list_decks_script(scope: str) -> Script[list[StoredDeck]]:
    rows = yield from fetch_all(LIST_DECKS, scope)
    return [_deck(row, with_body=False) for row in rows]


def get_deck_script(deck_id: str) -> Script[StoredDeck | None]:
    row = yield from fetch_one(GET_DECK, deck_id)
    return None if row is None else _deck(row, with_body=True)


def all_decks_script() -> Script[list[StoredDeck]]:
    rows = yield from fetch_all(ALL_DECKS)
    return [_deck(row, with_body=True) for row in rows]


class SqlDecks(SqlCore):
    """The DeckStore part of the SQL stores."""

    async def add_deck(self, deck: StoredDeck, limit: int) -> bool:
        # Count and insert in one transaction, so two uploads cannot both take the last slot
        # (SQLite serialises writers; PostgreSQL may let both count, the rare extra deck is
        # harmless).
        return await self._write(add_deck_script(deck, limit))

    async def list_decks(self, scope: str) -> list[StoredDeck]:
        return await self._read(list_decks_script(scope))

    async def get_deck(self, deck_id: str) -> StoredDeck | None:
        return await self._read(get_deck_script(deck_id))

    async def all_decks(self) -> list[StoredDeck]:
        return await self._read(all_decks_script())

    async def remove_deck(self, deck_id: str, scope: str) -> bool:
        return bool(await self._write(execute(DELETE_DECK, deck_id, scope)))
