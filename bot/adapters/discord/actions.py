"""Button clicks and modal submissions: read the custom id, call the services, reply.

The flows here (feedback after an answer, the next quiz question, reveals) are shared with
the slash commands. Replies are ephemeral: feedback is personal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

import discord

from bot.adapters.discord import render
from bot.adapters.discord.identity import Who, ensure, who_of
from bot.adapters.discord.replies import defer, report_error, send
from bot.adapters.discord.views import (
    ActionButton,
    after_view,
    answer_modal,
    quiz_view,
    review_view,
)
from bot.domain.models import AnswerKind, UserKey
from bot.domain.views import QuestionView
from bot.errors import InvalidInputError, NotFoundError
from bot.services import Services
from bot.services.results import AnswerResult, RevealResult, ReviewPrompt

log = logging.getLogger(__name__)

STALE = "This button is out of date; use the latest message or the slash commands."
NOT_CURRENT = "That quiz question is no longer the current one."

ButtonHandler = Callable[[discord.Interaction, Sequence[str]], Awaitable[None]]


def _int(args: Sequence[str], index: int) -> int:
    try:
        return int(args[index])
    except (IndexError, ValueError):
        raise InvalidInputError(STALE) from None


def _next_card() -> ActionButton:
    return ActionButton("rnext", label="Next card", style=discord.ButtonStyle.primary)


def _arg(args: Sequence[str], index: int) -> str:
    if index >= len(args) or not args[index]:
        raise InvalidInputError(STALE)
    return args[index]


class Actions:
    """Routes `prepbot:<action>:...` buttons and answer modals to the services."""

    def __init__(self, services: Services) -> None:
        self.services = services
        # One answer at a time per user: a double click must not answer the next question.
        self._locks: dict[UserKey, asyncio.Lock] = {}
        self._buttons: dict[str, ButtonHandler] = {
            "ans": self._daily_modal,
            "opt": self._daily_option,
            "show": self._daily_show,
            "rev": self._reveal_current,
            "qans": self._quiz_modal,
            "qopt": self._quiz_option,
            "qshow": self._quiz_show,
            "qskip": self._quiz_skip,
            "qstop": self._quiz_stop,
            "rans": self._review_modal,
            "ropt": self._review_option,
            "rshow": self._review_show,
            "rnext": self._review_next,
            "rate": self._rate,
            "forget": self._forget,
            "keep": self._keep,
        }

    def _lock(self, user: UserKey) -> asyncio.Lock:
        return self._locks.setdefault(user, asyncio.Lock())

    # --- entry points (InteractionRouter) ------------------------------------------------

    async def on_button(
        self, interaction: discord.Interaction, action: str, args: Sequence[str]
    ) -> None:
        """Run the button's action; every failure goes to the one error handler."""
        try:
            handler = self._buttons.get(action)
            if handler is None:
                raise InvalidInputError(STALE)
            await handler(interaction, args)
        except Exception as exc:
            await report_error(interaction, exc)

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
            post = _int([ref], 0)
            result = await self.services.answers.answer_daily(
                who.user, who.chat, text, post_id=post
            )
            await self.after_answer(interaction, who, result, post_id=post)
        elif kind == "q":
            session, position = (_int(ref.split(":"), i) for i in (0, 1))
            await self._check_quiz(who, session, position)
            result = await self.services.quizzes.answer(who.user, who.chat, text)
            await self.after_answer(interaction, who, result, session_id=session)
        elif kind == "r":
            result = await self.services.reviews.answer(who.user, who.chat, ref, text)
            await self.after_answer(interaction, who, result)
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
        extra: list[ActionButton] = []
        if result.kind is AnswerKind.DAILY:
            action = ActionButton("show", post_id, label="Show answer") if post_id else None
            extra.append(action or ActionButton("rev", label="Show answer"))
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
        again: ActionButton,
    ) -> None:
        """The reveal with ratings, and `again` (Full answer) until the full stage."""
        extra: list[ActionButton] = []
        if not result.full:
            extra.append(again)
        if result.kind is AnswerKind.REVIEW:
            extra.append(_next_card())
        await send(
            interaction, render.reveal_embeds(result), view=after_view(result.item_id, *extra)
        )

    async def _check_quiz(self, who: Who, session: int, position: int) -> None:
        info = await self.services.quizzes.active(who.user, who.chat)
        if info is None or info.session_id != session or info.answered + 1 != position:
            raise InvalidInputError(NOT_CURRENT)

    # --- daily posts -----------------------------------------------------------------------

    async def _daily_modal(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Open the answer modal for a daily post."""
        await interaction.response.send_modal(answer_modal("d", _int(args, 0)))

    async def _daily_option(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Answer a daily post's option A-D."""
        post, choice = _int(args, 0), _int(args, 1)
        await defer(interaction)
        who = await ensure(self.services, interaction)
        async with self._lock(who.user):
            result = await self.services.answers.answer_daily(
                who.user, who.chat, choice=choice, post_id=post
            )
        await self.after_answer(interaction, who, result, post_id=post)

    async def _daily_show(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Reveal a daily post to the clicking user (short, then full)."""
        post = _int(args, 0)
        await defer(interaction)
        who = await ensure(self.services, interaction)
        result = await self.services.reveals.reveal(who.user, who.chat, post_id=post)
        await self.show_reveal(interaction, result, ActionButton("show", post, label="Full answer"))

    async def _reveal_current(self, interaction: discord.Interaction, _: Sequence[str]) -> None:
        """Reveal whatever /reveal would: the quiz question, else the daily post."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        result = await self.services.reveals.reveal(who.user, who.chat)
        await self.show_reveal(interaction, result, ActionButton("rev", label="Full answer"))

    # --- quizzes -----------------------------------------------------------------------------

    async def _quiz_modal(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Open the answer modal for the current quiz question."""
        await interaction.response.send_modal(answer_modal("q", _int(args, 0), _int(args, 1)))

    async def _quiz_option(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Answer the current quiz question with option A-D."""
        session, position, choice = _int(args, 0), _int(args, 1), _int(args, 2)
        await defer(interaction)
        who = await ensure(self.services, interaction)
        async with self._lock(who.user):
            await self._check_quiz(who, session, position)
            result = await self.services.quizzes.answer(who.user, who.chat, choice=choice)
        await self.after_answer(interaction, who, result, session_id=session)

    async def _quiz_show(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Reveal the button's quiz question: an answered or skipped one any time, the
        current one forfeiting its points (the service decides)."""
        session, position = _int(args, 0), _int(args, 1)
        await defer(interaction)
        who = await ensure(self.services, interaction)
        result = await self.services.reveals.reveal(who.user, who.chat, quiz=(session, position))
        again = ActionButton("qshow", session, position, label="Full answer")
        await self.show_reveal(interaction, result, again)

    async def _quiz_skip(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Skip the current quiz question."""
        session, position = _int(args, 0), _int(args, 1)
        await defer(interaction)
        who = await ensure(self.services, interaction)
        async with self._lock(who.user):
            await self._check_quiz(who, session, position)
            step = await self.services.quizzes.skip(who.user, who.chat)
        if step.summary is not None:
            await send(interaction, [render.summary_embed(step.summary)])
        elif step.next_question is not None:
            await self.show_quiz_question(interaction, session, step.next_question, "Skipped.")

    async def _quiz_stop(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Stop the quiz and show its summary."""
        session = _int(args, 0)
        await defer(interaction)
        who = await ensure(self.services, interaction)
        async with self._lock(who.user):
            info = await self.services.quizzes.active(who.user, who.chat)
            if info is None or info.session_id != session:
                raise NotFoundError("That quiz has already ended.")
            summary = await self.services.quizzes.stop(who.user, who.chat)
        await send(interaction, [render.summary_embed(summary)])

    # --- reviews -------------------------------------------------------------------------------

    async def _review_modal(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Open the answer modal for a review card."""
        await interaction.response.send_modal(answer_modal("r", _arg(args, 0)))

    async def _review_option(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Answer a review card with option A-D."""
        item, choice = _arg(args, 0), _int(args, 1)
        await defer(interaction)
        who = await ensure(self.services, interaction)
        async with self._lock(who.user):
            result = await self.services.reviews.answer(who.user, who.chat, item, choice=choice)
        await self.after_answer(interaction, who, result)

    async def _review_show(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Reveal a review card."""
        item = _arg(args, 0)
        await defer(interaction)
        who = await ensure(self.services, interaction)
        result = await self.services.reveals.reveal(who.user, who.chat, item_id=item)
        again = ActionButton("rshow", item, label="Full answer")
        await self.show_reveal(interaction, result, again)

    async def _review_next(self, interaction: discord.Interaction, _: Sequence[str]) -> None:
        """The next due review card."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        await self.show_review(interaction, await self.services.reviews.next(who.user))

    async def _rate(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Again / Hard / Good / Easy."""
        item, rating = _arg(args, 0), _arg(args, 1)
        await defer(interaction)
        who = await ensure(self.services, interaction)
        rated = await self.services.reviews.rate(who.user, item, rating)
        await send(interaction, text=render.rating_text(rated))

    # --- your data ---------------------------------------------------------------------------

    async def _forget(self, interaction: discord.Interaction, args: Sequence[str]) -> None:
        """Confirm /forget: delete everything about the user."""
        code = _arg(args, 0)
        await defer(interaction)
        who = who_of(interaction)  # no ensure: it would write the user back
        await self.services.data.confirm_forget(who.user, code)
        log.info("user %s deleted their data", who.user)
        await send(interaction, text="Done: everything prepbot stored about you is deleted.")

    async def _keep(self, interaction: discord.Interaction, _: Sequence[str]) -> None:
        """Cancel /forget."""
        await defer(interaction)
        self.services.data.cancel_forget(who_of(interaction).user)
        await send(interaction, text="Cancelled: nothing was deleted.")
