"""Busy groups: spending a group's 20-messages-a-minute budget where it matters.

When a group's window (`pacing.GroupWindows`) runs short, or an admin chose private
feedback with /feedback, answers cost the group as little as possible: feedback goes to
the learner's private chat (no "sent privately" note in the group), a learner who has not
started the bot gets their feedback in the group with a one-time hint, and the group
sees one rolling "N answered so far" message per daily post, edited at most every
EDIT_EVERY seconds, instead of a reply per answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.adapters.telegram import render
from bot.adapters.telegram.admin import is_admin
from bot.adapters.telegram.context import AdapterContext, Bounded, chat_key, identify, user_key
from bot.adapters.telegram.formatting import user_text
from bot.adapters.telegram.limits import group_room
from bot.adapters.telegram.sending import send_html
from bot.domain.models import FEEDBACK_MODES
from bot.errors import StoreError
from bot.presentation import busy as words
from bot.services import Services
from bot.services.marks import CountMessage

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

#: The budget runs short when the group's window admits this many more messages or fewer.
SHORT_ROOM = 10
#: Seconds between edits of a rolling count (edits spend the group's budget too).
EDIT_EVERY = 5.0
#: Seconds a "feedback sent privately" note stays worth sending to the group.
NOTE_USEFUL = 20.0


@dataclass
class RollingCount:
    """A daily post's answer count in its group: the message that shows it (stored, so a
    restart edits the same message) and the number it shows."""

    post_id: int
    message_id: int | None = None
    shown: int = 0
    restored: bool = False  # the stored message, if any, was looked up
    last: float = 0.0  # time.monotonic() of the last send or edit
    task: asyncio.Task[None] | None = None


class BusyGroups:
    """Per-group feedback placement: settings and counts cached here, what is shown once
    marked in the store (a restart or a second process does not repeat it)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.modes: Bounded[int, str] = Bounded()
        self.hinted: Bounded[tuple[int, int], bool] = Bounded()
        self.counts: Bounded[tuple[int, int], RollingCount] = Bounded(limit=1000)

    async def mode(self, chat_id: int) -> str:
        """The chat's feedback setting (stored; cached here)."""
        cached = self.modes.get(chat_id)
        if cached is None:
            cached = (await self.services.users.get_chat(chat_key(chat_id))).feedback
            self.modes[chat_id] = cached
        return cached

    def short(self, bot: Bot, chat_id: int) -> bool:
        """Is the group's message budget for this minute nearly spent?"""
        room = group_room(bot, chat_id)
        return room is not None and room <= SHORT_ROOM

    async def sparing(self, bot: Bot, chat_id: int) -> bool:
        """Should answers in this group cost it as few messages as possible now?"""
        mode = await self.mode(chat_id)
        return mode == "private" or (mode == "auto" and self.short(bot, chat_id))

    async def first_hint(self, chat_id: int, user_id: int) -> bool:
        """True once per user and group, ever: the hint to start the bot is due."""
        if (chat_id, user_id) in self.hinted:  # saves asking the store again
            return False
        self.hinted[(chat_id, user_id)] = True
        return await self.services.marks.hint_due(chat_key(chat_id), user_key(user_id))

    def seen(self, chat_id: int, post_id: int) -> RollingCount:
        """The rolling count of a daily post that was just answered."""
        key = (chat_id, post_id)
        count = self.counts.get(key)
        if count is None:
            count = RollingCount(post_id)
            self.counts[key] = count
        return count

    def show(self, bot: Bot, chat_id: int, count: RollingCount) -> None:
        """Send or edit the post's rolling count soon (coalescing answers meanwhile)."""
        if count.task is None:
            count.task = asyncio.get_running_loop().create_task(self._flush(bot, chat_id, count))

    async def _flush(self, bot: Bot, chat_id: int, count: RollingCount) -> None:
        try:
            if not count.restored:
                await self._restore(count)
            while True:
                wait = count.last + EDIT_EVERY - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                # The stored answers count, not this process's: they survive a restart.
                number = await self.services.daily.answered(count.post_id)
                if number == count.shown:
                    return
                text = render.M.text(words.answered_so_far(number))
                if count.message_id is None:
                    count.message_id = (await send_html(bot, chat_id, text)).message_id
                else:
                    try:
                        await bot.edit_message_text(
                            text, chat_id=chat_id, message_id=count.message_id,
                            parse_mode=ParseMode.HTML,
                        )
                    except BadRequest as exc:
                        if "not found" not in exc.message.lower():
                            raise
                        count.message_id = None  # someone deleted it: send a new one
                        continue
                count.shown = number
                count.last = time.monotonic()
                await self.services.marks.keep_count_message(
                    count.post_id, CountMessage(str(count.message_id), number)
                )
        except TelegramError as exc:
            log.info("telegram: answer count in %s not updated: %s", chat_id, exc)
        except StoreError as exc:
            log.warning("answer count in %s not updated: %s", chat_id, exc)
        finally:
            count.task = None

    async def _restore(self, count: RollingCount) -> None:
        """Take over the count message an earlier process sent for the post, if any."""
        stored = await self.services.marks.count_message(count.post_id)
        count.restored = True
        if stored is not None and stored.message_id.isascii() and stored.message_id.isdigit():
            count.message_id, count.shown = int(stored.message_id), stored.shown


def start_me_hint(name: str) -> str:
    """The one-time hint, as a quiet line under a group reply."""
    return render.M.quiet(render.M.fill(words.start_me_hint(), name=user_text(name)))


class FeedbackCommand:
    """/feedback group|private|auto: where a group's answer feedback goes (admins only)."""

    def __init__(self, context: AdapterContext, busy: BusyGroups, bot: Bot) -> None:
        self.context = context
        self.busy = busy
        self.bot = bot

    async def feedback(self, update: Update, context: Context) -> None:
        who = await identify(self.context, update)
        message = update.effective_message
        if who is None or message is None:
            return
        args = [a.lower() for a in context.args or []]
        if not args:
            text = render.M.text(words.feedback_setting(await self.busy.mode(who.chat_id)))
        elif len(args) != 1 or args[0] not in FEEDBACK_MODES:
            text = render.M.text(words.feedback_usage("/feedback"))
        elif not await is_admin(self.bot, message, who):
            text = render.M.text(words.feedback_admins_only())
        else:
            mode = await self.context.services.users.set_chat_feedback(who.chat, args[0])
            self.busy.modes[who.chat_id] = mode
            text = render.M.text(words.feedback_setting(mode))
        await send_html(self.bot, who.chat_id, text, reply_to=message.message_id)
