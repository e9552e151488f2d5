"""Button clicks and modal submissions: call the services with the button's fields, reply.

The flows here (feedback after an answer, the next quiz question, reveals) are shared with
the slash commands. Replies are ephemeral: feedback is personal.
"""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.adapters.discord import render
from bot.adapters.discord.identity import Who, ensure, who_of
from bot.adapters.discord.interview import InterviewFlow
from bot.adapters.discord.replies import defer, report_error, send
from bot.adapters.discord.views import (
    DailyAnswer,
    DailyOption,
    DailyShow,
    ForgetCancel,
    ForgetConfirm,
    InterviewAnswer,
    NextCard,
    PrepButton,
    QuizAnswer,
    QuizOption,
    QuizShow,
    QuizSkip,
    QuizStop,
    Rate,
    RevealCurrent,
    ReviewAnswer,
    ReviewOption,
    ReviewShow,
    after_view,
    answer_modal,
    quiz_view,
    review_view,
)
from bot.domain.models import AnswerKind, UserKey
from bot.domain.views import QuestionView
from bot.errors import InvalidInputError
from bot.presentation import discord_texts, wording
from bot.services import Services
from bot.services.results import AnswerResult, RevealResult, ReviewPrompt

log = logging.getLogger(__name__)

STALE = discord_texts.STALE_BUTTON


def _int(text: str) -> int:
    if not (text.isascii() and text.isdecimal()):
        raise InvalidInputError(STALE)
    return int(text)


def _next_card() -> NextCard:
    return NextCard(label=wording.button("next_review"), style=discord.ButtonStyle.primary)


class Actions:
    """Routes `prepbot:<action>:...` buttons and answer modals to the services."""

    def __init__(self, services: Services) -> None:
        self.services = services
        # One answer at a time per user: a double click must not answer the next question.
        self._locks: dict[UserKey, asyncio.Lock] = {}
        self.interviews = InterviewFlow(services)

    def _lock(self, user: UserKey) -> asyncio.Lock:
        return self._locks.setdefault(user, asyncio.Lock())

    # --- entry points (InteractionRouter) ------------------------------------------------

    async def on_button(self, interaction: discord.Interaction, button: PrepButton) -> None:
        """Run the button's action; every failure goes to the one error handler."""
        try:
            await self._press(interaction, button)
        except Exception as exc:
            await report_error(interaction, exc)

    async def _press(self, interaction: discord.Interaction, button: PrepButton) -> None:
        match button:
            case DailyAnswer(post_id=post):
                await interaction.response.send_modal(answer_modal("d", post))
            case DailyOption(post_id=post, option=option):
                await self._daily_option(interaction, post, option)
            case DailyShow(post_id=post):
                await self._daily_show(interaction, post)
            case RevealCurrent():
                await self._reveal_current(interaction)
            case QuizAnswer(session_id=session, position=position):
                await interaction.response.send_modal(answer_modal("q", session, position))
            case InterviewAnswer(session_id=round_id, position=position):
                await interaction.response.send_modal(answer_modal("i", round_id, position))
            case QuizOption(session_id=session, position=position, option=option):
                await self._quiz_option(interaction, session, position, option)
            case QuizShow(session_id=session, position=position):
                await self._quiz_show(interaction, session, position)
            case QuizSkip(session_id=session, position=position):
                await self._quiz_skip(interaction, session, position)
            case QuizStop(session_id=session):
                await self._quiz_stop(interaction, session)
            case ReviewAnswer(item_id=item):
                await interaction.response.send_modal(answer_modal("r", item))
            case ReviewOption(item_id=item, option=option):
                await self._review_option(interaction, item, option)
            case ReviewShow(item_id=item):
                await self._review_show(interaction, item)
            case NextCard():
                await self._review_next(interaction)
            case Rate(item_id=item, rating=rating):
                await self._rate(interaction, item, rating)
            case ForgetConfirm(code=code):
                await self._forget(interaction, code)
            case ForgetCancel():
                await self._keep(interaction)
            case _:  # StaleButton: an id under our prefix that no button kind makes
                raise InvalidInputError(STALE)

    async def on_modal(
        self, interaction: discord.Interaction, kind: str, ref: str, text: str
    ) -> None:
        """Grade a submitted answer: d(aily post), q(uiz question), r(eview card), a(uto)."""
        try:
            await defer(interaction)
            who = await ensure(self.services, interaction)
            async with self._lock(who.user):
                await self._grade(interaction, who, kind, ref, text)
        except Exception as exc:
            await report_error(interaction, exc)

    async def _grade(
        self, interaction: discord.Interaction, who: Who, kind: str, ref: str, text: str
    ) -> None:
        if kind == "d":
            post = _int(ref)
            result = await self.services.answers.answer_daily(
                who.user, who.chat, text, post_id=post
            )
            await self.after_answer(interaction, who, result, post_id=post)
        elif kind == "q":
            session, _, shown = ref.partition(":")
            session_id, position = _int(session), _int(shown)
            result = await self.services.quizzes.answer(
                who.user, who.chat, text, session_id=session_id, position=position
            )
            await self.after_answer(interaction, who, result, session_id=session_id)
        elif kind == "r":
            result = await self.services.reviews.answer(who.user, who.chat, ref, text)
            await self.after_answer(interaction, who, result)
        elif kind == "i":
            await self.interviews.answer(interaction, who.user, ref, text)
        elif kind == "a":
            result = await self.services.answers.answer(who.user, who.chat, text)
            await self.after_answer(interaction, who, result)
        else:
            raise InvalidInputError(STALE)

    # --- shared flows ----------------------------------------------------------------------

    async def after_answer(
        self,
        interaction: discord.Interaction,
        who: Who,
        result: AnswerResult,
        *,
        post_id: int | None = None,
        session_id: int | None = None,
    ) -> None:
        """Feedback with rating buttons, then the next quiz question or the quiz summary."""
        extra: list[PrepButton] = []
        if result.kind is AnswerKind.DAILY:
            label = wording.button("show")
            extra.append(DailyShow(post_id, label=label) if post_id else RevealCurrent(label=label))
        elif result.kind is AnswerKind.REVIEW:
            extra.append(_next_card())
        await send(
            interaction,
            render.feedback_embeds(result),
            view=after_view(result.item_id, *extra),
        )
        if result.summary is not None:
            await send(interaction, [render.summary_embed(result.summary)])
        elif result.next_question is not None:
            if session_id is None:
                info = await self.services.quizzes.active(who.user, who.chat)
                session_id = info.session_id if info else 0
            await self.show_quiz_question(interaction, session_id, result.next_question)

    async def show_quiz_question(
        self,
        interaction: discord.Interaction,
        session_id: int,
        question: QuestionView,
        note: str | None = None,
    ) -> None:
        await send(
            interaction,
            [render.quiz_embed(question, note=note)],
            view=quiz_view(session_id, question),
        )

    async def show_review(self, interaction: discord.Interaction, prompt: ReviewPrompt) -> None:
        if prompt.question is None:
            await send(interaction, text=render.review_empty_text(prompt))
            return
        await send(
            interaction,
            [render.review_embed(prompt.question, prompt.due)],
            view=review_view(prompt.question),
        )

    async def show_reveal(
        self,
        interaction: discord.Interaction,
        result: RevealResult,
        again: PrepButton,
    ) -> None:
        """The reveal with ratings, and `again` (Full answer) until the full stage."""
        extra: list[PrepButton] = []
        if not result.full:
            extra.append(again)
        if result.kind is AnswerKind.REVIEW:
            extra.append(_next_card())
        await send(
            interaction, render.reveal_embeds(result), view=after_view(result.item_id, *extra)
        )

    # --- daily posts -----------------------------------------------------------------------

    async def _daily_option(self, interaction: discord.Interaction, post: int, choice: int) -> None:
        """Answer a daily post's option A-D."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        async with self._lock(who.user):
            result = await self.services.answers.answer_daily(
                who.user, who.chat, choice=choice, post_id=post
            )
        await self.after_answer(interaction, who, result, post_id=post)

    async def _daily_show(self, interaction: discord.Interaction, post: int) -> None:
        """Reveal a daily post to the clicking user (short, then full)."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        result = await self.services.reveals.reveal(who.user, who.chat, post_id=post)
        again = DailyShow(post, label=wording.button("full"))
        await self.show_reveal(interaction, result, again)

    async def _reveal_current(self, interaction: discord.Interaction) -> None:
        """Reveal whatever /reveal would: the quiz question, else the daily post."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        result = await self.services.reveals.reveal(who.user, who.chat)
        again = RevealCurrent(label=wording.button("full"))
        await self.show_reveal(interaction, result, again)

    # --- quizzes -----------------------------------------------------------------------------

    async def _quiz_option(
        self, interaction: discord.Interaction, session: int, position: int, choice: int
    ) -> None:
        """Answer the current quiz question with option A-D."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        async with self._lock(who.user):
            result = await self.services.quizzes.answer(
                who.user, who.chat, choice=choice, session_id=session, position=position
            )
        await self.after_answer(interaction, who, result, session_id=session)

    async def _quiz_show(
        self, interaction: discord.Interaction, session: int, position: int
    ) -> None:
        """Reveal the button's quiz question: an answered or skipped one any time, the
        current one forfeiting its points (the service decides)."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        result = await self.services.reveals.reveal(who.user, who.chat, quiz=(session, position))
        again = QuizShow(session, position, label=wording.button("full"))
        await self.show_reveal(interaction, result, again)

    async def _quiz_skip(
        self, interaction: discord.Interaction, session: int, position: int
    ) -> None:
        """Skip the current quiz question."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        async with self._lock(who.user):
            step = await self.services.quizzes.skip(
                who.user, who.chat, session_id=session, position=position
            )
        if step.summary is not None:
            await send(interaction, [render.summary_embed(step.summary)])
        elif step.next_question is not None:
            note = discord_texts.skipped_note()
            await self.show_quiz_question(interaction, session, step.next_question, note)

    async def _quiz_stop(self, interaction: discord.Interaction, session: int) -> None:
        """Stop the quiz and show its summary."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        async with self._lock(who.user):
            summary = await self.services.quizzes.stop(who.user, who.chat, session_id=session)
        await send(interaction, [render.summary_embed(summary)])

    # --- reviews -------------------------------------------------------------------------------

    async def _review_option(
        self, interaction: discord.Interaction, item: str, choice: int
    ) -> None:
        """Answer a review card with option A-D."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        async with self._lock(who.user):
            result = await self.services.reviews.answer(who.user, who.chat, item, choice=choice)
        await self.after_answer(interaction, who, result)

    async def _review_show(self, interaction: discord.Interaction, item: str) -> None:
        """Reveal a review card."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        result = await self.services.reveals.reveal(who.user, who.chat, item_id=item)
        again = ReviewShow(item, label=wording.button("full"))
        await self.show_reveal(interaction, result, again)

    async def _review_next(self, interaction: discord.Interaction) -> None:
        """The next due review card."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        await self.show_review(interaction, await self.services.reviews.next(who.user))

    async def _rate(self, interaction: discord.Interaction, item: str, rating: str) -> None:
        """Again / Hard / Good / Easy."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        rated = await self.services.reviews.rate(who.user, item, rating)
        await send(interaction, text=render.rating_text(rated))

    # --- your data ---------------------------------------------------------------------------

    async def _forget(self, interaction: discord.Interaction, code: str) -> None:
        """Confirm /forget: delete everything about the user."""
        await defer(interaction)
        who = who_of(interaction)  # no ensure: it would write the user back
        await self.services.data.confirm_forget(who.user, code)
        log.info("user %s deleted their data", who.user)
        await send(interaction, text=wording.forget_done())

    async def _keep(self, interaction: discord.Interaction) -> None:
        """Cancel /forget."""
        await defer(interaction)
        self.services.data.cancel_forget(who_of(interaction).user)
        await send(interaction, text=wording.forget_cancelled())
