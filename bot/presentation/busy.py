"""Wording for busy groups: feedback in a button's acknowledgement, the one-time hint to
start the bot in private, the rolling answer count, and the chat's feedback setting."""

from __future__ import annotations

from bot.domain.models import Verdict
from bot.presentation import wording
from bot.presentation.echo import ELLIPSIS
from bot.presentation.i18n import _, ngettext
from bot.presentation.markup import PLAIN
from bot.services.results import AnswerResult

#: Telegram shows at most 200 characters in a callback query's acknowledgement.
ACK_LIMIT = 200


def clip(text: str, limit: int = ACK_LIMIT) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def ack_feedback(result: AnswerResult, *, sent_privately: bool = False) -> str:
    """The verdict, score and points of a pressed answer, short enough for a button's
    acknowledgement (plain text, at most ACK_LIMIT characters)."""
    lines = [wording.verdict_heading(result, PLAIN)]
    outcome, _earned = wording.points_outcome(result)
    lines.append(outcome)
    if result.correct_option and result.verdict is not Verdict.CORRECT:
        lines.append(_("Right answer: {option}").format(option=result.correct_option))
    if sent_privately:
        lines.append("✉️ " + wording.sent_privately())
    return clip("\n".join(lines))


def start_me_hint() -> str:
    """Said once per person and group when the group's message budget runs short."""
    return _(
        "{name}: start me in private to get your feedback there (the group's messages are "
        "running short)."
    )


def answered_so_far(count: int) -> str:
    """The rolling message under a daily post, edited as answers come in."""
    return ngettext("{count} answered so far", "{count} answered so far", count).format(
        count=count
    )


def feedback_setting(mode: str) -> str:
    """What `/feedback` says after a change (or when asked without an argument)."""
    if mode == "group":
        return _("Feedback on answers goes to the group.")
    if mode == "private":
        return _(
            "Feedback on answers goes to each learner's private chat when they have started "
            "me (a one-time hint in the group otherwise)."
        )
    return _(
        "Feedback on answers goes to the group, and to private chats when the group's "
        "message budget runs short."
    )


def feedback_usage(command: str) -> str:
    """`command` is the platform's spelling of the feedback command."""
    return _("Usage: {command} group, private or auto (admins only).").format(command=command)


def feedback_admins_only() -> str:
    return _("Sorry, only this chat's administrators can change where feedback goes.")
