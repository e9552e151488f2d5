"""Sending rendered HTML parts: parse mode, reply target and keyboard placed consistently."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def send_parts(
    bot: Bot,
    chat_id: int,
    parts: Sequence[str],
    *,
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> list[Message]:
    """Send each part in order; the first replies to `reply_to`, the last carries `markup`."""
    sent: list[Message] = []
    for index, part in enumerate(parts):
        reply = (
            ReplyParameters(reply_to, allow_sending_without_reply=True)
            if reply_to is not None and index == 0
            else None
        )
        sent.append(
            await bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if index == len(parts) - 1 else None,
                reply_parameters=reply,
                link_preview_options=NO_PREVIEW,
            )
        )
    return sent


async def send_html(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> Message:
    """Send one short HTML message."""
    return (await send_parts(bot, chat_id, [text], markup=markup, reply_to=reply_to))[0]
