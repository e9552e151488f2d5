"""/deck on Telegram: a document sent with the caption `/deck add` (or a reply `/deck add`
to a document) becomes one of the group's decks; list, show, remove and export."""

from __future__ import annotations

import logging

from telegram import Bot, Document, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.adapters.deckcommands import DeckRequest, parse_deck
from bot.adapters.telegram import render
from bot.adapters.telegram.admin import is_admin
from bot.adapters.telegram.context import AdapterContext, Who, identify
from bot.adapters.telegram.sending import send_parts
from bot.errors import DeliveryError
from bot.presentation import decks as words

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

#: A caption that is a /deck command (with or without the bot's @name).
DECK_CAPTION = r"^/deck(@\w+)?(\s|$)"


class Decks:
    """The /deck command and captioned uploads."""

    def __init__(self, context: AdapterContext, bot: Bot) -> None:
        self.context = context
        self.bot = bot

    async def command(self, update: Update, context: Context) -> None:
        """/deck add|list|show|remove|export, typed or as a document's caption."""
        who = await identify(self.context, update)
        message = update.effective_message
        if who is None or message is None:
            return
        typed = message.text or message.caption or ""
        _, _, args = typed.partition(" ")
        request = parse_deck(args)
        text = await self._apply(who, message, request)
        if text:
            await send_parts(self.bot, who.chat_id, [text], reply_to=message.message_id)

    async def _apply(self, who: Who, message: Message, request: DeckRequest) -> str:
        decks = self.context.services.decks
        M = render.M
        if request.action == "add":
            document = message.document
            replied = message.reply_to_message
            if document is None and replied is not None:
                document = replied.document
            if document is None:
                return M.text(words.deck_needs_file())
            admin = await is_admin(self.bot, message, who)
            data = await self._download(document) if admin else b""
            if data is None:
                return M.text(words.deck_file_unreadable())
            added = await decks.add(
                who.user, who.chat, data, document.file_name or "deck", request.format,
                admin=admin,
            )
            return await self._noted(who, words.deck_added(M, added, f"/quiz {added.info.id}"))
        if request.action == "list":
            return words.deck_list(M, await decks.list(who.chat))
        if request.action == "show" and request.argument:
            return words.deck_show(M, await decks.show(who.chat, request.argument))
        if request.action == "remove" and request.argument:
            removal = await decks.remove(
                who.user, who.chat, request.argument,
                admin=await is_admin(self.bot, message, who), confirmed=False,
            )
            return await self._noted(
                who, words.deck_removal(M, removal, f"/deck remove {removal.info.id}")
            )
        if request.action == "export" and request.argument:
            exported = await decks.export(who.chat, request.argument)
            await self.bot.send_document(
                who.chat_id,
                document=exported.text.encode("utf-8"),
                filename=exported.filename,
                caption=words.deck_exported(M, exported.filename.removesuffix(".yaml")),
                parse_mode="HTML",
                reply_to_message_id=message.message_id,
            )
            return ""
        others = "/deck list, /deck show ID, /deck remove ID, /deck export ID"
        return M.text(words.deck_usage("/deck add", others))

    async def _noted(self, who: Who, text: str) -> str:
        """`text`, then why the chat's schedule stopped posting the first time an admin acts
        here after it did (add and remove reach here only for admins)."""
        broken = await self.context.services.schedules.broken_once(who.chat)
        return f"{text}\n\n{render.broken_note(broken)}" if broken else text

    async def _download(self, document: Document) -> bytes | None:
        """The file's bytes through getFile (Telegram's API only, never a URL from a user);
        an oversized file is refused before it is downloaded."""
        self.context.services.decks.check_size(document.file_size or 0)
        try:
            file = await self.bot.get_file(document.file_id)
            return bytes(await file.download_as_bytearray())
        except (TelegramError, DeliveryError, OSError) as exc:
            log.warning("downloading %s failed: %s", document.file_id, exc)
            return None

