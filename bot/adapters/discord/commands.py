"""The members' slash commands. Each acknowledges first, then calls the services.

Personal replies (feedback, reveals, quizzes, reviews, stats) are ephemeral; the daily
question and the leaderboard are posted for the channel.
"""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord import choices, render
from bot.adapters.discord.actions import Actions
from bot.adapters.discord.identity import ensure
from bot.adapters.discord.replies import defer, send
from bot.adapters.discord.translator import description, options
from bot.adapters.discord.views import RevealCurrent, answer_modal, daily_view, forget_view
from bot.content.bank import Bank
from bot.domain.decks import scope_of
from bot.domain.models import GroupKey
from bot.errors import InvalidInputError
from bot.presentation import wording
from bot.presentation.charts import stats_png
from bot.presentation.notices import CHART_WEEK_ONLY
from bot.presentation.week_chart import week_png
from bot.services import Services

log = logging.getLogger(__name__)

class PracticeCommands(commands.Cog):
    """/daily, /answer, /reveal, /quiz, /review, /streak, /stats, /leaderboard, ..."""

    def __init__(self, services: Services, bank: Bank, actions: Actions) -> None:
        self.services = services
        self.bank = bank
        self.actions = actions

    @app_commands.command(name="daily", description=description("daily"))
    async def daily(self, interaction: discord.Interaction) -> None:
        """Post the channel's question of the day."""
        await defer(interaction, ephemeral=False)
        who = await ensure(self.services, interaction)
        daily = await self.services.daily.today(who.chat)
        message = await send(
            interaction, [render.daily_embed(daily)], view=daily_view(daily), ephemeral=False
        )
        if message is not None:
            await self.services.daily.remember_message(daily.post_id, str(message.id))

    @app_commands.command(name="answer", description=description("answer"))
    async def answer(self, interaction: discord.Interaction) -> None:
        """Open the answer modal; the target is chosen when it is submitted."""
        await interaction.response.send_modal(answer_modal("a"))

    @app_commands.command(name="reveal", description=description("reveal"))
    async def reveal(self, interaction: discord.Interaction) -> None:
        """Reveal the current quiz question, else today's question, to the caller."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        result = await self.services.reveals.reveal(who.user, who.chat)
        again = RevealCurrent(label=wording.button("full"))
        await self.actions.show_reveal(interaction, result, again)

    @app_commands.command(name="quiz", description=description("quiz"))
    @app_commands.describe(**options("quiz"))
    async def quiz(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        count: app_commands.Range[int, 1, 20] | None = None,
        difficulty: Literal["easy", "medium", "hard"] | None = None,
    ) -> None:
        """Start a quiz, or show the running one's current question."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        started = await self.services.quizzes.start(who.user, who.chat, topic, count, difficulty)
        if started.conflict is not None:
            conflict = started.conflict
            current = await self.services.quizzes.current(who.user, who.chat)
            if current is not None:
                running = wording.quiz_conflict(conflict.answered, conflict.total)
                await self.actions.show_quiz_question(
                    interaction, conflict.session_id, current, running
                )
                return
        if started.session_id is None or started.question is None:
            await send(interaction, text=wording.quiz_not_started())
            return
        note: str | None = None
        if started.total < started.requested:
            note = wording.only_some_match(started.total)
        await self.actions.show_quiz_question(
            interaction, started.session_id, started.question, note
        )

    @quiz.autocomplete("topic")
    async def _quiz_topic(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # The server's own decks too; its scope from the interaction, without a store write.
        place = interaction.guild_id or interaction.channel_id
        scope = scope_of(GroupKey("discord", str(place))) if place else None
        return choices.topic_choices(self.services.topics.topics(scope), current)

    @app_commands.command(name="review", description=description("review"))
    async def review(self, interaction: discord.Interaction) -> None:
        """Show the most overdue review card."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        await self.actions.show_review(interaction, await self.services.reviews.next(who.user))

    @app_commands.command(name="streak", description=description("streak"))
    async def streak(self, interaction: discord.Interaction) -> None:
        """Show the caller's streak."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        view = await self.services.stats.streak(who.user, who.chat)
        await send(interaction, text=render.streak_text(view))

    @app_commands.command(name="stats", description=description("stats"))
    async def stats(self, interaction: discord.Interaction) -> None:
        """Show the caller's statistics."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        card = await self.services.stats.card(who.user, who.chat)
        embed, picture = render.stats_card_embed(card, await stats_png(card))
        await send(interaction, [embed], file=picture)

    @app_commands.command(name="leaderboard", description=description("leaderboard"))
    @app_commands.describe(**options("leaderboard"))
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        window: Literal["week", "month", "all"] = "week",
        chart: bool = False,
    ) -> None:
        """Post the server's leaderboard (with `chart`, the week's picture attached)."""
        if chart and window != "week":
            raise InvalidInputError(CHART_WEEK_ONLY)  # before deferring: said to the caller only
        await defer(interaction, ephemeral=False)
        who = await ensure(self.services, interaction)
        boards = self.services.leaderboards
        if not chart:
            view = await boards.leaderboard(who.chat, who.user, window)
            await send(interaction, [render.leaderboard_embed(view)], ephemeral=False)
            return
        week = await boards.week_chart(who.chat, who.user)
        embed, picture = render.week_chart_embed(week, await week_png(week))
        await send(interaction, [embed], file=picture, ephemeral=False)

    @app_commands.command(name="leaderboard-optout", description=description("leaderboard-optout"))
    @app_commands.describe(**options("leaderboard-optout"))
    async def leaderboard_optout(
        self, interaction: discord.Interaction, hide: bool = True
    ) -> None:
        """Hide the caller from every leaderboard, or show them again."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        if hide:
            await self.services.leaderboards.opt_out(who.user)
            text = wording.leaderboard_hidden()
        else:
            await self.services.leaderboards.opt_in(who.user)
            text = wording.leaderboard_shown()
        await send(interaction, text=text)

    @app_commands.command(name="topics", description=description("topics"))
    async def topics(self, interaction: discord.Interaction) -> None:
        """List tags and decks."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        topics = await self.services.decks.topics(who.chat)
        await send(interaction, render.topics_embeds(topics))

    @app_commands.command(name="timezone", description=description("timezone"))
    @app_commands.describe(**options("timezone"))
    async def timezone(self, interaction: discord.Interaction, zone: str | None = None) -> None:
        """Show or set the caller's own time zone."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        users = self.services.users
        result = (
            await users.set_timezone(who.user, zone, who.chat)
            if zone
            else await users.timezone(who.user, who.chat)
        )
        await send(interaction, text=render.timezone_text(result))

    @timezone.autocomplete("zone")
    async def _timezone_zone(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices.timezone_choices(current)

    @app_commands.command(name="report", description=description("report"))
    @app_commands.describe(**options("report"))
    async def report(
        self,
        interaction: discord.Interaction,
        item: str,
        reason: app_commands.Range[str, 1, 1000],
    ) -> None:
        """Record a problem report."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        report = await self.services.data.report(who.user, item, reason)
        await send(interaction, text=render.report_text(report))

    @report.autocomplete("item")
    async def _report_item(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices.item_choices(self.bank.items, current)

    @app_commands.command(name="forget", description=description("forget"))
    async def forget(self, interaction: discord.Interaction) -> None:
        """Ask for confirmation with a button."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        request = await self.services.data.request_forget(who.user)
        await send(interaction, [render.forget_embed(request)], view=forget_view(request.code))

    @app_commands.command(name="help", description=description("help"))
    async def help(self, interaction: discord.Interaction) -> None:
        """List the commands."""
        await send(interaction, [render.help_embed(self.services.answers.slow_grading)])
