"""Decks a chat or server uploads: add (parsed off the event loop), list, show, remove,
export, and the bank view each chat's quizzes, schedules and topics read."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.bank import Bank
from bot.content.schema import Deck, slugify
from bot.content.uploads import (
    ParsedUpload,
    UploadRejected,
    export_yaml,
    load_stored,
    parse_upload,
)
from bot.domain.decks import StoredDeck, scope_of
from bot.domain.models import ChatKey, UserKey
from bot.errors import (
    Command,
    ContentError,
    InvalidInputError,
    NotAllowedError,
    NotFoundError,
    Notice,
    StoreError,
)
from bot.ports import Clock, Store
from bot.services.base import Directory
from bot.services.results import TopicInfo
from bot.services.topics import TopicService

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_ITEMS = 2000
DEFAULT_PER_CHAT = 20
#: Items `/deck show` lists.
SHOW_ITEMS = 5


@dataclass(frozen=True)
class DeckLimits:
    """DECK_MAX_BYTES, DECK_MAX_ITEMS and DECKS_PER_CHAT."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_items: int = DEFAULT_MAX_ITEMS
    per_chat: int = DEFAULT_PER_CHAT


@dataclass(frozen=True)
class DeckInfo:
    """One deck of a chat, as listed."""

    id: str
    name: str
    format: str
    items: int
    created: str  # ISO date


@dataclass(frozen=True)
class DeckAdded:
    """What an upload became: the deck, items by type, placeholders, warnings."""

    info: DeckInfo
    by_type: dict[str, int]
    no_answer: int
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class DeckDetail:
    """A deck and its first questions."""

    info: DeckInfo
    first: tuple[tuple[str, str], ...]  # (item id, question)


@dataclass(frozen=True)
class DeckExport:
    filename: str
    text: str


@dataclass(frozen=True)
class DeckRemoval:
    """`removed` False means the removal waits for its confirmation."""

    info: DeckInfo
    removed: bool


@dataclass(frozen=True)
class DeckProblems:
    """Every problem of a rejected upload (line 0: the whole file)."""

    lines: tuple[tuple[int, str], ...]
    more: int = 0
    candidates: tuple[str, ...] = ()


class DeckRejectedError(InvalidInputError):
    """An upload that stored nothing, with every problem the file has."""

    def __init__(self, problems: DeckProblems) -> None:
        self.problems = problems
        listing = tuple(
            f"line {line}: {text}" if line else text for line, text in problems.lines
        )
        if problems.more:
            listing += (f"(+{problems.more})",)
        super().__init__(
            Notice(
                "The file was not added; nothing was stored. Problems:\n{problems}",
                problems=listing,
            )
        )


NOT_ADMIN = Notice("Only the chat's administrators can add or remove decks.")


def _info(deck: StoredDeck) -> DeckInfo:
    created = deck.created.date().isoformat()
    return DeckInfo(deck.id, deck.name, deck.format, deck.item_count, created)


@dataclass(eq=False)
class DeckService:
    store: Store
    bank: Bank
    clock: Clock
    directory: Directory
    topic_service: TopicService
    limits: DeckLimits = field(default_factory=DeckLimits)
    _pending_removal: set[tuple[str, str]] = field(default_factory=set)

    async def load(self) -> int:
        """Put every stored deck into the bank (at start); returns how many."""
        count = 0
        for stored in await self.store.all_decks():
            try:
                deck = load_stored(stored.body)
            except (ContentError, ValueError) as exc:
                log.warning("stored deck %s no longer loads: %s", stored.id, exc)
                continue
            self.bank.add_owned(deck, stored.scope)
            count += 1
        if count:
            log.info("loaded %d uploaded decks", count)
        return count

    async def scope(self, chat: ChatKey) -> str:
        """The scope a chat's decks belong to (its server on Discord)."""
        return scope_of((await self.directory.chat(chat)).group)

    async def topics(self, chat: ChatKey) -> list[TopicInfo]:
        """/topics in a chat: the shipped tags and decks and the chat's own decks."""
        return self.topic_service.topics(await self.scope(chat))

    async def _new_id(self, filename: str) -> str:
        """The file's name as a slug and four hex digits, unused here and in the store
        (another process may have added decks this one has not loaded)."""
        stem = slugify(Path(filename).stem or "deck", 24)
        while True:
            candidate = f"{stem}-{secrets.token_hex(2)}"
            if candidate not in self.bank.decks and await self.store.get_deck(candidate) is None:
                return candidate

    async def add(
        self,
        user: UserKey,
        chat: ChatKey,
        data: bytes,
        filename: str,
        fmt: str | None = None,
        *,
        admin: bool,
    ) -> DeckAdded:
        """Parse and store an uploaded file as one of the chat's decks, all or nothing."""
        if not admin:
            raise NotAllowedError(NOT_ADMIN)
        self.check_size(len(data))
        scope = await self.scope(chat)
        await self.directory.user(user)
        if len(await self.store.list_decks(scope)) >= self.limits.per_chat:
            raise InvalidInputError(self._full())
        deck_id = await self._new_id(filename)
        try:
            parsed = await asyncio.to_thread(
                parse_upload, data, filename, (fmt or "auto").lower(), deck_id,
                self.limits.max_items,
            )
        except UploadRejected as exc:
            lines = tuple((p.line, p.message) for p in exc.problems[:30])
            raise DeckRejectedError(
                DeckProblems(lines, max(0, len(exc.problems) - 30), exc.candidates)
            ) from exc
        stored = self._stored(parsed, deck_id, scope, user, filename)
        try:
            added = await self.store.add_deck(stored, self.limits.per_chat)
        except StoreError:
            log.exception("storing deck %s failed", deck_id)
            raise
        if not added:
            raise InvalidInputError(self._full())
        self.bank.add_owned(parsed.deck, scope)
        log.info("%s added deck %s (%d items) in %s", user, deck_id, stored.item_count, scope)
        return DeckAdded(
            _info(stored), parsed.by_type, parsed.no_answer, tuple(parsed.warnings[:20])
        )

    def check_size(self, size: int) -> None:
        """Refuse a file over DECK_MAX_BYTES (before downloading it, where the size is known)."""
        if size > self.limits.max_bytes:
            raise InvalidInputError(
                Notice(
                    "The file has {size} bytes; a deck file may have at most {limit}.",
                    size=size, limit=self.limits.max_bytes,
                )
            )

    def _full(self) -> Notice:
        return Notice(
            "This chat already has {limit} decks; remove one first.", limit=self.limits.per_chat
        )

    def _stored(
        self, parsed: ParsedUpload, deck_id: str, scope: str, user: UserKey, filename: str
    ) -> StoredDeck:
        return StoredDeck(
            id=deck_id,
            scope=scope,
            owner=str(user),
            name=Path(filename).name[:100] or deck_id,
            format=parsed.format,
            created=self.clock.now(),
            item_count=len(parsed.deck.items),
            body=parsed.body,
        )

    async def list(self, chat: ChatKey) -> list[DeckInfo]:
        return [_info(deck) for deck in await self.store.list_decks(await self.scope(chat))]

    async def _own(self, chat: ChatKey, deck_id: str) -> tuple[str, StoredDeck]:
        scope = await self.scope(chat)
        stored = await self.store.get_deck(deck_id.strip().lower())
        if stored is None or stored.scope != scope:
            raise NotFoundError(
                Notice(
                    "This chat has no deck {id} (see {decks}).",
                    id=deck_id, decks=Command.DECK_LIST,
                )
            )
        return scope, stored

    async def show(self, chat: ChatKey, deck_id: str) -> DeckDetail:
        _, stored = await self._own(chat, deck_id)
        deck: Deck = load_stored(stored.body)
        first = tuple((item.id, item.question) for item in deck.items[:SHOW_ITEMS])
        return DeckDetail(_info(stored), first)

    async def remove(
        self, user: UserKey, chat: ChatKey, deck_id: str, *, admin: bool, confirmed: bool
    ) -> DeckRemoval:
        """Remove a deck once confirmed (a second `/deck remove ID` or the button)."""
        if not admin:
            raise NotAllowedError(NOT_ADMIN)
        scope, stored = await self._own(chat, deck_id)
        key = (scope, stored.id)
        if not confirmed and key not in self._pending_removal:
            self._pending_removal.add(key)
            return DeckRemoval(_info(stored), removed=False)
        self._pending_removal.discard(key)
        await self.store.remove_deck(stored.id, scope)
        self.bank.drop_owned(stored.id)
        log.info("%s removed deck %s from %s", user, stored.id, scope)
        return DeckRemoval(_info(stored), removed=True)

    async def export(self, chat: ChatKey, deck_id: str) -> DeckExport:
        _, stored = await self._own(chat, deck_id)
        return DeckExport(f"{stored.id}.yaml", await asyncio.to_thread(export_yaml, stored.body))
