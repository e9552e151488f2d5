"""Sending rendered HTML parts: parse mode, reply target and keyboard placed consistently."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
CAPTION_LIMIT = 1024  # Telegram's limit on a photo caption's text


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


async def send_photo(
    bot: Bot,
    chat_id: int,
    png: bytes,
    parts: Sequence[str],
    *,
    reply_to: int | None = None,
    filename: str = "stats.png",
) -> list[Message]:
    """A picture with `parts` as its caption when they fit in one, else followed by them.

    The HTML's length bounds the caption Telegram counts (markup is not counted).
    """
    caption = parts[0] if len(parts) == 1 and len(parts[0]) <= CAPTION_LIMIT else None
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    photo = await bot.send_photo(
        chat_id,
        InputFile(png, filename=filename),
        caption=caption,
        parse_mode=ParseMode.HTML if caption else None,
        reply_parameters=reply,
    )
    if caption is not None:
        return [photo]
    return [photo, *await send_parts(bot, chat_id, parts)]
