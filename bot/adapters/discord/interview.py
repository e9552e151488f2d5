"""`/interview` on Discord: an ephemeral start message and a private thread for the round
(direct messages where threads are not allowed, said so). Each question message carries
an Answer button that opens the answer modal; it is edited once at one minute left."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord import render
from bot.adapters.discord.identity import PLATFORM, chat_key, ensure, user_key
from bot.adapters.discord.replies import defer, send
from bot.adapters.discord.translator import description, options
from bot.adapters.discord.views import InterviewAnswer, make_view
from bot.domain.models import UserKey
from bot.errors import Command, InvalidInputError
from bot.presentation import discord_texts
from bot.presentation import interview_texts as texts
from bot.presentation.commands import command
from bot.render import split_message
from bot.services import Services
from bot.services.interview import InterviewPrompt, InterviewReport, InterviewStep

log = logging.getLogger(__name__)

REMINDER_POLL_SECONDS = 1.0
THREAD_NAME_LIMIT = 100


def _stop() -> str:
    return command(Command.INTERVIEW_STOP, render.COMMANDS)


def prompt_text(prompt: InterviewPrompt, reminder: bool = False) -> str:
    lines = texts.prompt_lines(prompt, _stop(), render.M)
    if reminder:
        lines.append(render.M.strong(render.M.text(texts.reminder())))
    return "\n".join(lines)


def prompt_view(prompt: InterviewPrompt) -> discord.ui.View:
    return make_view(
        [
            InterviewAnswer(
                prompt.round_id, prompt.position, label=discord_texts.answer_button(),
                style=discord.ButtonStyle.primary,
            )
        ]
    )


def report_body(report: InterviewReport) -> str:
    review = command(Command.REVIEW, render.COMMANDS)
    quiz = command(Command.QUIZ, render.COMMANDS)
    title = render.M.strong(render.M.text(texts.report_title(report)))
    return "\n".join([title, *texts.report_lines(report, review, quiz, render.M)])


def _ours(client: discord.Client, channel: object) -> bool:
    """Whether this process's gateway shards hold `channel` (DMs: shard 0), so a round on a
    sharded bot is resumed by one process only."""
    shards = getattr(client, "shard_ids", None)
    if not shards:
        return True
    guild = getattr(channel, "guild", None)
    return (guild.shard_id if guild is not None else 0) in shards


class InterviewFlow:
    """Sends rounds to their private place and takes the modal answers."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._reminders: set[asyncio.Task[None]] = set()

    async def answer(
        self, interaction: discord.Interaction, user: UserKey, ref: str, text: str
    ) -> None:
        """A submitted answer modal (`ref` is `<round>:<position>`)."""
        round_id, _, shown = ref.partition(":")
        expired = await self.services.interviews.expire(user)
        if expired is not None:  # left idle too long: the report instead of a grade
            await send(interaction, text=texts.report_title(expired))
            await self.report(interaction.channel, expired)
            return
        prompt = await self.services.interviews.current(user)
        if prompt is not None and (str(prompt.round_id), str(prompt.position)) != (
            round_id, shown
        ):
            raise InvalidInputError(discord_texts.STALE_BUTTON)
        step = await self.services.interviews.answer(user, text)
        await self._step(interaction, step)

    async def _step(self, interaction: discord.Interaction, step: InterviewStep) -> None:
        channel = interaction.channel
        if step.note is not None:
            await send(interaction, text=texts.note_line(step.note, render.M), ephemeral=False)
        if step.report is not None:
            await self.report(channel, step.report)
        elif step.prompt is not None and isinstance(channel, discord.abc.Messageable):
            await self.prompt(channel, step.prompt, user_key(interaction.user))

    async def prompt(
        self,
        channel: discord.abc.Messageable,
        prompt: InterviewPrompt,
        user: UserKey,
        mention: discord.abc.User | None = None,
    ) -> None:
        """Send a question (or follow-up) with its Answer button; remind once if it runs."""
        content = prompt_text(prompt)
        if mention is not None:  # in a private thread, a mention adds the member
            content = f"{mention.mention}\n{content}"
        message = await channel.send(
            content[: render.CONTENT_LIMIT],
            view=prompt_view(prompt),
            allowed_mentions=discord.AllowedMentions(users=[mention] if mention else False),
        )
        if prompt.follow_up is None:
            task = asyncio.create_task(self._remind(message, prompt, user))
            self._reminders.add(task)
            task.add_done_callback(self._reminders.discard)

    async def report(self, channel: object, report: InterviewReport) -> bool:
        """Send the report to `channel`; False when it is not a channel to send to."""
        if not isinstance(channel, discord.abc.Messageable):
            return False
        for part in split_message(report_body(report), render.CONTENT_LIMIT):
            await channel.send(part, allowed_mentions=render.NO_MENTIONS)
        return True

    async def _remind(
        self, message: discord.Message, prompt: InterviewPrompt, user: UserKey
    ) -> None:
        """Edit the question once at one minute left (the time from the service's clock)."""
        interviews = self.services.interviews
        clock = interviews.clock
        try:
            while True:
                due = await interviews.reminder_due(user, prompt.round_id, prompt.position)
                if due is None:
                    return
                if clock.now() >= due:
                    break
                wait = (due - clock.now()).total_seconds()
                await asyncio.sleep(min(wait, REMINDER_POLL_SECONDS))
            if await interviews.mark_reminded(user, prompt.round_id, prompt.position):
                await message.edit(content=prompt_text(prompt, reminder=True)[
                    : render.CONTENT_LIMIT
                ])
        except discord.HTTPException as exc:
            log.warning("interview reminder for %s not sent: %s", user, exc)
        except Exception:
            log.exception("interview reminder for %s failed", user)

    async def resend_resumed(self, client: discord.Client) -> int:
        """After a restart: each resumed round's current question, sent again once to the
        round's thread or DMs and marked resumed (its clock counts from the restart)."""
        sent = 0
        for resumed in await self.services.interviews.take_resumed(PLATFORM):
            try:
                channel_id = int(resumed.chat.chat_id)
                channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
                if not isinstance(channel, discord.abc.Messageable) or not _ours(client, channel):
                    continue
                await self.prompt(channel, resumed.prompt, resumed.user)
                sent += 1
            except (discord.HTTPException, ValueError) as exc:  # the thread is gone, say
                log.warning("resumed interview for %s not sent: %s", resumed.user, exc)
        if sent:
            log.info("sent %d resumed interview questions again", sent)
        return sent

    def close(self) -> None:
        for task in list(self._reminders):
            task.cancel()


class InterviewCommands(commands.Cog):
    """/interview and /interview-stop."""

    def __init__(self, services: Services, flow: InterviewFlow) -> None:
        self.services = services
        self.flow = flow

    @app_commands.command(name="interview", description=description("interview"))
    @app_commands.describe(**options("interview"))
    async def interview(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        questions: app_commands.Range[int, 3, 10] | None = None,
        minutes: app_commands.Range[int, 1, 10] | None = None,
    ) -> None:
        """Start a round in a private thread (or DMs); the start message is ephemeral."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        interviews = self.services.interviews
        current = await interviews.current(who.user)
        if current is not None:
            await send(interaction, text=texts.interview_running(
                current.position, current.total, _stop()
            ))
            return
        if topic:
            self.services.quizzes.topics.resolve([topic])  # a typo is said before a thread
        channel, in_dms = await self._place(interaction)
        if channel is None:
            await send(interaction, text=texts.round_cannot_start_privately())
            return
        place = chat_key(channel.id)
        guild = str(interaction.guild_id) if interaction.guild_id and not in_dms else None
        await self.services.users.ensure_chat(place, guild, getattr(channel, "name", "") or "")
        started = await interviews.start(who.user, place, topic, questions, minutes)
        if started.expired is not None:
            await self.flow.report(channel, started.expired)
        prompt = started.prompt or started.conflict
        assert prompt is not None
        where = texts.round_in_dms() if in_dms else texts.round_started_private(
            f"<#{channel.id}>"
        )
        await send(interaction, text=where)
        if started.prompt is not None and prompt.total < started.requested:
            await channel.send(texts.only_some_questions(prompt.total))
        mention = None if in_dms else interaction.user
        await self.flow.prompt(channel, prompt, who.user, mention)

    @interview.autocomplete("topic")
    async def _topic(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        from_topics = self.services.topics.topics()
        return [
            app_commands.Choice(name=t.name, value=t.name)
            for t in from_topics
            if current.lower() in t.name.lower()
        ][:25]

    @app_commands.command(name="interview-stop", description=description("interview-stop"))
    async def interview_stop(self, interaction: discord.Interaction) -> None:
        """End the round now; the report goes where the round ran."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        report = await self.services.interviews.stop(who.user)
        await send(interaction, text=texts.report_title(report))
        if interaction.channel_id is not None and chat_key(interaction.channel_id) == report.chat:
            await self.flow.report(interaction.channel, report)
            return
        # Stopped from elsewhere: the report goes to the round's thread or DMs, not here.
        place = interaction.client.get_channel(int(report.chat.chat_id))
        if place is None:
            try:
                place = await interaction.client.fetch_channel(int(report.chat.chat_id))
            except discord.HTTPException as exc:
                log.info("interview place %s gone (%s)", report.chat, exc.code)
                place = None
        if not await self.flow.report(place, report):
            await send(interaction, text=report_body(report))  # ephemeral: still private

    async def _place(
        self, interaction: discord.Interaction
    ) -> tuple[discord.Thread | discord.DMChannel | None, bool]:
        """A private thread under the channel, else the member's DMs (True)."""
        channel = interaction.channel
        if isinstance(channel, discord.TextChannel):
            name = texts.thread_name(interaction.user.display_name)[:THREAD_NAME_LIMIT]
            try:
                thread = await channel.create_thread(
                    name=name, type=discord.ChannelType.private_thread, invitable=False
                )
                return thread, False
            except discord.HTTPException as exc:
                log.info("no private thread in %s (%s); using DMs", channel.id, exc.code)
        try:
            return await interaction.user.create_dm(), True
        except discord.HTTPException as exc:
            log.info("no DM channel for %s (%s)", interaction.user.id, exc.code)
            return None, True

