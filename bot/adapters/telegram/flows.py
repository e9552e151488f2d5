"""The user flows that commands, replies, buttons and polls share.

Answering and revealing need a target (which question?), checks (whose quiz, which
position), a service call, and feedback placed so it does not spoil the answer for a group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ChatAction
from telegram.error import Forbidden, TelegramError

from bot.adapters.telegram import callbacks as cb
from bot.adapters.telegram import keyboards, render
from bot.adapters.telegram.busy import NOTE_USEFUL, BusyGroups, start_me_hint
from bot.adapters.telegram.context import PLATFORM, AdapterContext, Who
from bot.adapters.telegram.limits import useful_until
from bot.adapters.telegram.messenger import TelegramMessenger
from bot.adapters.telegram.sending import send_html, send_parts
from bot.adapters.textcommands import choice_from_text
from bot.domain.models import AnswerKind
from bot.domain.views import QuestionView
from bot.errors import NotAllowedError, NotFoundError, StaleQuestionError
from bot.presentation.notices import CARD_GONE, NOT_YOUR_CARD
from bot.services.base import NO_DAILY
from bot.services.quiz import NOT_YOUR_QUIZ, QUIZ_OVER
from bot.services.results import AnswerResult

log = logging.getLogger(__name__)

#: Hears an answer's result (and whether its feedback goes privately) before feedback;
#: True when it showed the presser the verdict.
Graded = Callable[[AnswerResult, bool], Awaitable[bool]]
#: Seconds a group reply whose content the presser already has stays worth sending.
ACKED_USEFUL = 30.0


@dataclass(frozen=True)
class Target:
    """What an answer or a reveal applies to.

    `options` is how many choices the question offers (letters then mean options);
    `session` comes from a quiz message's buttons (the quiz service checks it is still the
    user's current question), `owner` from a review card's, to check it here.
    """

    kind: AnswerKind
    options: int = 0
    post_id: int | None = None
    item_id: str | None = None
    session: tuple[int, int] | None = None  # (session id, 1-based position)
    owner: str | None = None


def _keyboard_buttons(message: Message) -> list[cb.Button]:
    markup = message.reply_markup
    if markup is None:
        return []
    decoded = (cb.decode(str(b.callback_data)) for row in markup.inline_keyboard for b in row
               if b.callback_data is not None)
    return [button for button in decoded if button is not None]


def options_on(message: Message) -> int:
    """How many option buttons a question message carries."""
    return _count_options(_keyboard_buttons(message))


def _count_options(buttons: Sequence[cb.Button]) -> int:
    return sum(
        1
        for b in buttons
        if isinstance(b, cb.DailyButton | cb.QuizButton | cb.ReviewButton)
        and cb.option_number(b.action) is not None
    )


class Flows:
    """Answering, revealing, quizzes and reviews, for any kind of update."""

    def __init__(self, context: AdapterContext, messenger: TelegramMessenger) -> None:
        self.context = context
        self.messenger = messenger
        self.services = context.services
        self.busy = BusyGroups(context.services)

    @property
    def bot(self) -> Bot:
        return self.messenger.bot

    # --- targets -------------------------------------------------------------------------
    async def target_of(self, who: Who, message: Message) -> Target | None:
        """The question a bot message shows: from its buttons, its poll, or the stored post."""
        buttons = _keyboard_buttons(message)
        options = _count_options(buttons)
        for button in buttons:
            if isinstance(button, cb.DailyButton):
                return Target(AnswerKind.DAILY, options, post_id=button.post_id)
            if isinstance(button, cb.QuizButton) and button.action != cb.SHOW:
                session = (button.session_id, button.position)
                return Target(AnswerKind.QUIZ, options, session=session)
            if isinstance(button, cb.ReviewButton):
                item_id = self.context.keys.item_id(button.item_key)
                return Target(AnswerKind.REVIEW, options, item_id=item_id, owner=button.owner)
        daily = None
        if message.poll is not None:
            daily = await self.services.daily.by_poll(PLATFORM, message.poll.id)
        if daily is None:
            daily = await self.services.daily.by_message(who.chat, str(message.message_id))
        if daily is not None:
            return Target(AnswerKind.DAILY, len(daily.question.options), post_id=daily.post_id)
        return None

    async def default_target(self, who: Who) -> Target:
        """No message named: the review card shown last, else the quiz, else today's post."""
        shown = self.context.memory.reviews.get((who.user, who.chat))
        if shown is not None:
            item_id, options = shown
            return Target(AnswerKind.REVIEW, options, item_id=item_id, owner=str(who.user_id))
        view = await self.services.quizzes.current(who.user, who.chat)
        if view is not None:
            return Target(AnswerKind.QUIZ, len(view.options))
        daily = await self.services.daily.current(who.chat)
        if daily is None:
            raise NotFoundError(NO_DAILY)
        return Target(AnswerKind.DAILY, len(daily.question.options), post_id=daily.post_id)

    async def _current_quiz_question(self, who: Who) -> tuple[int, int]:
        """(session id, 1-based position) of the user's current quiz question."""
        active = await self.services.quizzes.active(who.user, who.chat)
        if active is None:
            raise NotFoundError(QUIZ_OVER)
        return active.session_id, active.answered + 1

    def _check_card(self, who: Who, target: Target) -> str:
        if target.owner is not None and target.owner != str(who.user_id):
            raise NotAllowedError(NOT_YOUR_CARD)
        if target.item_id is None:
            raise NotFoundError(CARD_GONE)
        return target.item_id

    # --- answering -----------------------------------------------------------------------
    async def answer(
        self,
        who: Who,
        target: Target,
        *,
        text: str | None = None,
        choice: int | None = None,
        reply_to: int | None = None,
        edited: bool = False,
        quiet: bool = False,
        graded: Graded | None = None,
    ) -> AnswerResult:
        """Grade an answer, give feedback, then move a quiz on (next question or summary).

        `quiet` (button presses) sends no group note when the feedback went privately;
        `graded` (a button's acknowledgement) hears the result before any feedback is sent,
        and a group reply repeating it is then dropped if it cannot be sent in time.
        """
        if choice is None and text is not None:
            choice = choice_from_text(text, target.options)
            text = None if choice is not None else text
        if text is not None and self.services.answers.slow_grading:
            await self._typing(who)
        may_go_private = target.kind is not AnswerKind.QUIZ
        # Where the feedback goes is read while the answer is graded, not after it.
        placing = (
            None if who.private else asyncio.ensure_future(self._placement(who, may_go_private))
        )
        try:
            result = await self._submit(who, target, text, choice)
        finally:
            if placing is not None:  # a failed read fails again where it is used
                await asyncio.gather(placing, return_exceptions=True)
        acked = False
        if graded is not None:
            private = not who.private and may_go_private and await self.goes_private(who)
            acked = await graded(result, private)
        review = target.kind is AnswerKind.REVIEW
        markup = keyboards.next_review(str(who.user_id)) if review else None
        if result.self_graded:  # the learner rates it: Again / Hard / Good / Easy
            key = self.context.keys.key(result.item_id)
            markup = keyboards.after_reveal(None, key, str(who.user_id))
        name = None if who.private else who.name
        await self.deliver_personal(
            who,
            render.feedback(result, edited=edited),
            render.feedback(result, name=name, edited=edited) if name else [],
            markup=markup,
            reply_to=reply_to,
            quiet=quiet,
            may_go_private=may_go_private,
            useful_for=ACKED_USEFUL if acked else None,
            post_id=target.post_id if target.kind is AnswerKind.DAILY else None,
        )
        await self._continue_quiz(who, result)
        return result

    async def _placement(self, who: Who, may_go_private: bool) -> None:
        """Cache what `deliver_personal` reads in a group: its feedback mode and (when the
        feedback may go private) whether the user takes feedback there."""
        mode = self.busy.mode(who.chat_id)
        if may_go_private:
            await asyncio.gather(mode, self.context.private_ok(who.user_id))
        else:
            await mode

    async def _typing(self, who: Who) -> None:
        """The "typing..." state while a model grades; the answer goes on without it."""
        try:
            await self.bot.send_chat_action(who.chat_id, ChatAction.TYPING)
        except TelegramError as exc:
            log.debug("chat action in %s failed: %s", who.chat_id, exc)

    async def _submit(
        self, who: Who, target: Target, text: str | None, choice: int | None
    ) -> AnswerResult:
        services = self.services
        if target.kind is AnswerKind.QUIZ:
            session_id, position = target.session or (None, None)
            return await services.quizzes.answer(
                who.user, who.chat, text, choice=choice, session_id=session_id, position=position
            )
        if target.kind is AnswerKind.REVIEW:
            item_id = self._check_card(who, target)
            result = await services.reviews.answer(who.user, who.chat, item_id, text, choice=choice)
            # Answered: a second answer must not count as another review of the card.
            self.forget_review(who)
            return result
        return await services.answers.answer_daily(
            who.user, who.chat, text, choice=choice, post_id=target.post_id
        )

    async def _continue_quiz(self, who: Who, result: AnswerResult) -> None:
        if result.summary is not None:
            await send_parts(self.bot, who.chat_id, render.summary(result.summary))
        elif result.next_question is not None:
            await self.show_current_quiz(who, result.next_question)

    async def skip(self, who: Who, target: Target | None = None) -> None:
        """Skip the current quiz question: say which, then the next one or the summary."""
        session_id, position = target.session if target and target.session else (None, None)
        step = await self.services.quizzes.skip(
            who.user, who.chat, session_id=session_id, position=position
        )
        await send_html(self.bot, who.chat_id, render.skipped(step.skipped.question))
        if step.summary is not None:
            await send_parts(self.bot, who.chat_id, render.summary(step.summary))
        elif step.next_question is not None:
            await self.show_current_quiz(who, step.next_question)

    async def stop(self, who: Who, target: Target | None = None) -> None:
        """End the quiz early and summarise it."""
        session_id = target.session[0] if target and target.session else None
        summary = await self.services.quizzes.stop(who.user, who.chat, session_id=session_id)
        await send_parts(self.bot, who.chat_id, render.summary(summary))

    # --- showing questions ---------------------------------------------------------------
    def forget_review(self, who: Who) -> None:
        """Another question is on screen now: plain text no longer answers the review card."""
        self.context.memory.reviews.pop((who.user, who.chat), None)

    async def show_quiz(self, who: Who, session_id: int, view: QuestionView) -> Message:
        self.forget_review(who)
        parts = render.question(view, render.quiz_heading(view), render.answer_hint(view))
        markup = keyboards.quiz(session_id, view, str(who.user_id))
        return (await send_parts(self.bot, who.chat_id, parts, markup=markup))[-1]

    async def show_current_quiz(self, who: Who, view: QuestionView | None = None) -> None:
        active = await self.services.quizzes.active(who.user, who.chat)
        view = view or await self.services.quizzes.current(who.user, who.chat)
        if active is None or view is None:
            raise NotFoundError(QUIZ_OVER)
        await self.show_quiz(who, active.session_id, view)

    async def show_review(self, who: Who) -> None:
        """The most overdue card, or when the next one is due."""
        prompt = await self.services.reviews.next(who.user)
        if prompt.question is None:
            self.forget_review(who)
            await send_html(self.bot, who.chat_id, render.no_reviews(prompt.next_due))
            return
        view = prompt.question
        self.context.memory.reviews[(who.user, who.chat)] = (view.item_id, len(view.options))
        parts = render.question(view, render.review_heading(prompt.due), render.answer_hint(view))
        markup = keyboards.review(self.context.keys.key(view.item_id), view, str(who.user_id))
        await send_parts(self.bot, who.chat_id, parts, markup=markup)

    # --- reveals -------------------------------------------------------------------------
    async def reveal(
        self, who: Who, target: Target, *, reply_to: int | None = None, quiet: bool = False
    ) -> None:
        """Short answer first, the full one on the second request; then the rating buttons."""
        reveals = self.services.reveals
        again: cb.Button
        if target.kind is AnswerKind.QUIZ:
            session = target.session or await self._current_quiz_question(who)
            # The service decides: answered or skipped questions always show, the current
            # one forfeits its points, questions not reached yet are refused.
            try:
                result = await reveals.reveal(who.user, who.chat, quiz=session)
            except StaleQuestionError as exc:
                if exc.reason != "not_yours":
                    raise
                raise NotAllowedError(NOT_YOUR_QUIZ) from exc
            again = cb.QuizButton(*session, str(who.user_id), cb.REVEAL)
        elif target.kind is AnswerKind.REVIEW:
            item_id = self._check_card(who, target)
            result = await reveals.reveal(who.user, who.chat, item_id=item_id)
            again = cb.ReviewButton(self.context.keys.key(item_id), str(who.user_id), cb.REVEAL)
        else:
            if target.post_id is None:
                raise NotFoundError(NO_DAILY)
            result = await reveals.reveal(who.user, who.chat, post_id=target.post_id)
            again = cb.DailyButton(target.post_id, cb.REVEAL)
        markup = keyboards.after_reveal(
            None if result.full else again, self.context.keys.key(result.item_id), str(who.user_id)
        )
        await self.deliver_personal(
            who,
            render.reveal(result),
            [] if who.private else render.reveal(result, name=who.name),
            markup=markup,
            reply_to=reply_to,
            quiet=quiet,
            may_go_private=target.kind is not AnswerKind.QUIZ,
        )

    # --- placing personal messages -------------------------------------------------------
    async def deliver_personal(
        self,
        who: Who,
        private_parts: list[str],
        group_parts: list[str],
        *,
        markup: InlineKeyboardMarkup | None = None,
        reply_to: int | None = None,
        quiet: bool = False,
        may_go_private: bool = True,
        useful_for: float | None = None,
        post_id: int | None = None,
    ) -> None:
        """In a private chat: as is. In a group: to the user's private chat if they started
        the bot, else in the group with the spoiler version and a deep link to start it.

        A quiz stays in its group (`may_go_private=False`): its next question follows there,
        and its buttons act on the session of that chat. A group reply `useful_for` some
        seconds is dropped if the group's budget cannot send it by then. When the group's
        budget runs short (`busy`), an answer to the daily post `post_id` costs the group
        at most an edit of the post's rolling answer count.
        """
        if who.private:
            await send_parts(self.bot, who.chat_id, private_parts, markup=markup, reply_to=reply_to)
            return
        sparing = await self.busy.sparing(self.bot, who.chat_id)
        count = None if post_id is None else self.busy.seen(who.chat_id, post_id)
        if may_go_private and await self.goes_private(who):
            try:
                await send_parts(
                    self.bot, who.user_id, render.from_group(who.title, private_parts),
                    markup=markup,
                )
            except Forbidden:
                await self.context.set_private_ok(who.user_id, False)  # blocked: use the group
            except TelegramError as exc:
                log.info("private feedback to %s failed (%s); using the group", who.user, exc)
            else:
                if sparing and count is not None:
                    self.busy.show(self.bot, who.chat_id, count)
                elif not quiet and not sparing:
                    note = render.feedback_sent_privately(who.name)
                    with useful_until(NOTE_USEFUL):
                        await send_html(self.bot, who.chat_id, note, reply_to=reply_to)
                return
        if sparing and useful_for and count is not None:
            self.busy.show(self.bot, who.chat_id, count)  # the presser has it in the ack
            return
        hint = group_parts and sparing and may_go_private
        if hint and await self.busy.first_hint(who.chat_id, who.user_id):
            group_parts = [*group_parts[:-1], f"{group_parts[-1]}\n{start_me_hint(who.name)}"]
        rows = list(markup.inline_keyboard) if markup else []
        if self.context.bot_username and may_go_private:
            rows += keyboards.private_link(self.context.deep_link()).inline_keyboard
        with useful_until(useful_for) if useful_for else contextlib.nullcontext():
            await send_parts(
                self.bot,
                who.chat_id,
                group_parts,
                markup=InlineKeyboardMarkup(rows) if rows else None,
                reply_to=reply_to,
            )

    async def goes_private(self, who: Who) -> bool:
        """Does personal feedback in this group go to the user's private chat? (They
        started the bot, and the group's admins did not ask for feedback in the group.)"""
        return await self.private_feedback(who.chat_id, who.user_id)

    async def private_feedback(self, chat_id: int, user_id: int) -> bool:
        """`goes_private` by ids."""
        if await self.busy.mode(chat_id) == "group":
            return False
        return await self.context.private_ok(user_id)
