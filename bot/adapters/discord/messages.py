"""Answers typed in a channel, when the server opts in (`DISCORD_MESSAGE_ANSWERS=true`).

Reading message text needs the privileged Message Content intent, so this is off by default
and answers come through the modal and buttons. When on, a reply to a daily question
answers that post, and a message mentioning the bot answers the user's quiz question or
the channel's latest post. Feedback goes by direct message (it names the key points, which
would spoil the question for the channel); if DMs are closed, a verdict-only reply.
"""

from __future__ import annotations

import contextlib
import logging
import re

import discord

from bot.adapters.discord import render
from bot.adapters.discord.identity import chat_key, ensure_message
from bot.adapters.discord.replies import user_message
from bot.errors import PrepbotError
from bot.presentation import wording
from bot.services import Services
from bot.services.results import AnswerResult

log = logging.getLogger(__name__)


class MessageAnswers:
    """Grades channel messages that answer a question."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def on_message(self, me: discord.ClientUser, message: discord.Message) -> None:
        """Answer a daily post by reply, or the current question by mentioning the bot."""
        if message.author.bot or message.guild is None:
            return
        mention = re.compile(rf"<@!?{me.id}>")
        addressed = bool(mention.search(message.content))
        try:
            await self._answer(message, mention.sub("", message.content).strip(), addressed)
        except Exception as exc:  # the one place errors of this path are logged
            said = user_message(exc, "message answer")
            if addressed or isinstance(exc, PrepbotError):
                await self._reply(message, said)

    async def _answer(self, message: discord.Message, text: str, addressed: bool) -> None:
        post_id = await self._replied_post(message)
        if (post_id is None and not addressed) or not text:
            return
        who = await ensure_message(self.services, message)
        if self.services.answers.slow_grading:
            # "typing..." while a model grades (interactions are deferred instead).
            with contextlib.suppress(discord.HTTPException):
                await message.channel.typing()
        if post_id is not None:
            result = await self.services.answers.answer_daily(
                who.user, who.chat, text, post_id=post_id
            )
        else:
            result = await self.services.answers.answer(who.user, who.chat, text)
        await self._tell(message, result)

    async def _replied_post(self, message: discord.Message) -> int | None:
        reference = message.reference
        if reference is None or reference.message_id is None:
            return None
        channel_id = reference.channel_id or message.channel.id
        daily = await self.services.daily.by_message(
            chat_key(channel_id), str(reference.message_id)
        )
        return daily.post_id if daily is not None else None

    async def _tell(self, message: discord.Message, result: AnswerResult) -> None:
        """Feedback by DM; a verdict-only reply if the member does not accept DMs."""
        embeds = render.feedback_embeds(result)
        try:
            for group in render.pack(embeds):
                await message.author.send(embeds=group, allowed_mentions=render.NO_MENTIONS)
        except discord.HTTPException as exc:
            log.info("no DM to %s (%s); replying in the channel", message.author.id, exc.code)
            details = wording.details_in_private()
            await self._reply(message, f"{render.verdict_title(result)} {details}")

    @staticmethod
    async def _reply(message: discord.Message, text: str) -> None:
        try:
            await message.reply(
                discord.utils.escape_mentions(text)[: render.CONTENT_LIMIT],
                mention_author=False,
                allowed_mentions=render.NO_MENTIONS,
            )
        except discord.HTTPException as exc:
            log.warning("could not reply in channel %s: %s", message.channel.id, exc.code)
