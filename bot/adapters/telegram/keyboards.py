"""Inline keyboards; every callback_data goes through `callbacks.encode` (64-byte checked)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.adapters.telegram import callbacks as cb
from bot.domain.choices import LETTERS
from bot.domain.views import QuestionView
from bot.presentation.wording import button as caption

Rows = list[list[InlineKeyboardButton]]
PER_ROW = 4


def _button(text: str, button: cb.Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb.encode(button))


def _letters(count: int) -> list[tuple[str, str]]:
    """(label, action) per option: A..L and the 1-based option number."""
    return [(LETTERS[i], str(i + 1)) for i in range(min(count, len(LETTERS)))]


def _show() -> str:
    return "💡 " + caption("show")


def _rows(buttons: list[InlineKeyboardButton]) -> Rows:
    return [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]


def daily(post_id: int, view: QuestionView) -> InlineKeyboardMarkup:
    """Options A/B/C/D (choice items) and Show answer, for anyone in the chat."""
    options = [
        _button(label, cb.DailyButton(post_id, action))
        for label, action in _letters(len(view.options))
    ]
    reveal = [_button(_show(), cb.DailyButton(post_id, cb.REVEAL))]
    return InlineKeyboardMarkup([*_rows(options), reveal])


def daily_poll(post_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(_show(), cb.DailyButton(post_id, cb.REVEAL))]])


def quiz(session_id: int, view: QuestionView, owner: str) -> InlineKeyboardMarkup:
    """Options, then Show answer / Skip / Stop, for the quiz's owner only."""
    position = view.position or 1

    def button(text: str, action: str) -> InlineKeyboardButton:
        return _button(text, cb.QuizButton(session_id, position, owner, action))

    options = [button(label, action) for label, action in _letters(len(view.options))]
    controls = [button(_show(), cb.REVEAL), button("⏭ " + caption("skip"), cb.SKIP),
                button("⏹ " + caption("stop"), cb.STOP)]
    return InlineKeyboardMarkup([*_rows(options), controls])


def quiz_conflict(session_id: int, position: int, owner: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    "▶️ " + caption("continue"), cb.QuizButton(session_id, position, owner, cb.SHOW)
                ),
                _button(
                    "⏹ " + caption("stop_it"), cb.QuizButton(session_id, position, owner, cb.STOP)
                ),
            ]
        ]
    )


def review(item_key: str, view: QuestionView, owner: str) -> InlineKeyboardMarkup:
    options = [
        _button(label, cb.ReviewButton(item_key, owner, action))
        for label, action in _letters(len(view.options))
    ]
    reveal = [_button(_show(), cb.ReviewButton(item_key, owner, cb.REVEAL))]
    return InlineKeyboardMarkup([*_rows(options), reveal])


def after_reveal(again: cb.Button | None, item_key: str, owner: str) -> InlineKeyboardMarkup:
    """Full answer (when only the short one was shown), then Again / Hard / Good / Easy."""
    rows: Rows = []
    if again is not None:
        rows.append([_button("📖 " + caption("full"), again)])
    rows.append(
        [
            _button(caption(name), cb.RateButton(item_key, owner, number))
            for number, name in enumerate(cb.RATINGS, start=1)
        ]
    )
    return InlineKeyboardMarkup(rows)


def next_review(owner: str) -> InlineKeyboardMarkup:
    label = "🔁 " + caption("next_review")
    return InlineKeyboardMarkup([[_button(label, cb.NextReviewButton(owner))]])


def forget(owner: str, code: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button("🗑 " + caption("delete"), cb.ForgetButton(owner, code)),
                _button(caption("cancel"), cb.ForgetButton(owner, cb.CANCEL)),
            ]
        ]
    )


def private_link(url: str) -> InlineKeyboardMarkup:
    """A deep link that opens the private chat with the bot."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("🔒 " + caption("private"), url=url)]])
