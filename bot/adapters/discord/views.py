"""Buttons and the answer modal, with stable custom ids that keep working after a restart.

Every kind of button is its own `DynamicItem` subclass with typed fields and a custom id
made from them: `prepbot:<action>:<field>:...`, e.g. `prepbot:ans:42` (`DailyAnswer`, post
42) or `prepbot:qopt:7:2:3` (`QuizOption`, quiz 7, question 2, option C). The class's
template parses the same fields back, so a click on a message posted before a restart (or
before this module changed, as long as the id format holds) is routed like a fresh one.
Ids under our prefix that no kind matches reach `StaleButton`, which says so. Modals
likewise carry their target in the custom id (`prepbot-modal:d:42`) and are handled from the
raw interaction, not from a modal object held in memory.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import discord

from bot.domain.choices import LETTERS
from bot.domain.views import DailyQuestion, QuestionView
from bot.presentation import discord_texts, wording

log = logging.getLogger(__name__)

PREFIX = "prepbot"
MODAL_PREFIX = "prepbot-modal"
ANSWER_INPUT = "answer"
CUSTOM_ID_LIMIT = 100
ANSWER_MAX_LENGTH = 4000
# Two rows of five above the row of Answer / Show answer / Skip / Stop.
MAX_OPTION_BUTTONS = 10
RATING_STYLES = {
    "again": discord.ButtonStyle.danger,
    "hard": discord.ButtonStyle.secondary,
    "good": discord.ButtonStyle.primary,
    "easy": discord.ButtonStyle.success,
}
_MODAL_RE = re.compile(rf"{MODAL_PREFIX}:(?P<kind>[a-z])(?::(?P<ref>\S*))?")
# What each custom id field may hold; the numeric ones are ASCII digits, read back as int,
# at most 18 of them so an id pasted into a custom id cannot overflow a database INTEGER
# (longer ones reach StaleButton).
_ID = "[0-9]{1,18}"
_FIELDS = {
    "post_id": _ID,
    "session_id": _ID,
    "position": _ID,
    "option": _ID,
    "item_id": r"[^:\s]+",
    "rating": "[a-z]+",
    "code": r"[^:\s]+",
    "rest": r"[\s\S]*",  # anything: every click on our messages gets an answer
}
_INT_FIELDS = frozenset({"post_id", "session_id", "position", "option"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_NEVER = "(?!)"  # the template of the abstract kinds, which are never registered


def _template(id_format: str, *, named: bool = True) -> str:
    """`qskip:{session_id}:{position}` -> `prepbot:qskip:(?P<session_id>[0-9]+):...`."""

    def group(match: re.Match[str]) -> str:
        name = match[1]
        return f"(?P<{name}>{_FIELDS[name]})" if named else f"(?:{_FIELDS[name]})"

    return f"{PREFIX}:" + _PLACEHOLDER.sub(group, id_format)


@runtime_checkable
class InteractionRouter(Protocol):
    """What the bot exposes as `client.actions` to handle clicks and modal submissions."""

    async def on_button(self, interaction: discord.Interaction, button: PrepButton) -> None: ...

    async def on_modal(
        self, interaction: discord.Interaction, kind: str, ref: str, text: str
    ) -> None: ...


class PrepButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=_NEVER):
    """Base of every button kind: a subclass names its id format (`fmt`), whose fields are
    its typed attributes; the template follows from the format."""

    id_format: ClassVar[str] = ""
    kinds: ClassVar[list[type[PrepButton]]] = []

    def __init_subclass__(cls, *, fmt: str | None = None, template: str | None = None) -> None:
        if fmt is not None:
            cls.id_format = fmt
            PrepButton.kinds.append(cls)
        super().__init_subclass__(template=template or (_template(fmt) if fmt else _NEVER))

    def __init__(
        self,
        *,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        row: int | None = None,
    ) -> None:
        fields = {name: getattr(self, name) for name in _PLACEHOLDER.findall(self.id_format)}
        custom_id = f"{PREFIX}:{self.id_format.format_map(fields)}"
        super().__init__(
            discord.ui.Button(label=label[:80], style=style, custom_id=custom_id, row=row)
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> Self:
        fields: dict[str, Any] = {
            name: int(value) if name in _INT_FIELDS else value
            for name, value in match.groupdict().items()
        }
        label = getattr(item, "label", None) or cls.__name__
        style = getattr(item, "style", discord.ButtonStyle.secondary)
        return cls(**fields, label=label, style=style)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Hand the click to the bot's router (which owns error handling)."""
        router = getattr(interaction.client, "actions", None)
        if not isinstance(router, InteractionRouter):
            log.warning("button %s clicked but no router is installed", self.custom_id)
            return
        await router.on_button(interaction, self)


# --- daily posts ---------------------------------------------------------------------------


class _DailyButton(PrepButton):
    def __init__(self, post_id: int, **look: Any) -> None:
        self.post_id = post_id
        super().__init__(**look)


class DailyAnswer(_DailyButton, fmt="ans:{post_id}"):
    """Opens the answer modal for a daily post."""


class DailyShow(_DailyButton, fmt="show:{post_id}"):
    """Reveals a daily post to the clicking user (short, then full)."""


class DailyOption(_DailyButton, fmt="opt:{post_id}:{option}"):
    """Answers a daily post with option `option` (1-based)."""

    def __init__(self, post_id: int, option: int, **look: Any) -> None:
        self.option = option
        super().__init__(post_id, **look)


class RevealCurrent(PrepButton, fmt="rev"):
    """Reveals what /reveal would: the quiz question, else the daily post."""


# --- quizzes ---------------------------------------------------------------------------------


class _QuizButton(PrepButton):
    """A button on quiz question `position` (1-based) of session `session_id`."""

    def __init__(self, session_id: int, position: int, **look: Any) -> None:
        self.session_id = session_id
        self.position = position
        super().__init__(**look)


class QuizAnswer(_QuizButton, fmt="qans:{session_id}:{position}"):
    """Opens the answer modal for the quiz question."""


class QuizShow(_QuizButton, fmt="qshow:{session_id}:{position}"):
    """Reveals the quiz question (the service decides whether it forfeits)."""


class QuizSkip(_QuizButton, fmt="qskip:{session_id}:{position}"):
    """Skips the quiz question, if it is still the current one."""


class QuizOption(_QuizButton, fmt="qopt:{session_id}:{position}:{option}"):
    """Answers the quiz question with option `option` (1-based)."""

    def __init__(self, session_id: int, position: int, option: int, **look: Any) -> None:
        self.option = option
        super().__init__(session_id, position, **look)


class InterviewAnswer(_QuizButton, fmt="ians:{session_id}:{position}"):
    """Opens the answer modal for a mock interview's question (round, position)."""


class QuizStop(PrepButton, fmt="qstop:{session_id}"):
    """Stops quiz `session_id`, if it is still running."""

    def __init__(self, session_id: int, **look: Any) -> None:
        self.session_id = session_id
        super().__init__(**look)


# --- review cards and ratings ----------------------------------------------------------------


class _CardButton(PrepButton):
    def __init__(self, item_id: str, **look: Any) -> None:
        self.item_id = item_id
        super().__init__(**look)


class ReviewAnswer(_CardButton, fmt="rans:{item_id}"):
    """Opens the answer modal for a review card."""


class ReviewShow(_CardButton, fmt="rshow:{item_id}"):
    """Reveals a review card."""


class ReviewOption(_CardButton, fmt="ropt:{item_id}:{option}"):
    """Answers a review card with option `option` (1-based)."""

    def __init__(self, item_id: str, option: int, **look: Any) -> None:
        self.option = option
        super().__init__(item_id, **look)


class Rate(_CardButton, fmt="rate:{item_id}:{rating}"):
    """Again / Hard / Good / Easy after an answer or a reveal."""

    def __init__(self, item_id: str, rating: str, **look: Any) -> None:
        self.rating = rating
        super().__init__(item_id, **look)


class NextCard(PrepButton, fmt="rnext"):
    """Shows the next due review card."""


# --- your data -------------------------------------------------------------------------------


class ForgetConfirm(PrepButton, fmt="forget:{code}"):
    """Confirms /forget with its code."""

    def __init__(self, code: str, **look: Any) -> None:
        self.code = code
        super().__init__(**look)


class ForgetCancel(PrepButton, fmt="keep"):
    """Cancels /forget."""


class StaleButton(
    PrepButton,
    # Our prefix with an id no kind above matches: an action since removed, or a mangled id.
    template=(
        f"(?!(?:{'|'.join(_template(k.id_format, named=False) for k in PrepButton.kinds)})\\Z)"
        f"{PREFIX}:(?P<rest>{_FIELDS['rest']})"
    ),
):
    """Any other id under our prefix: the router answers that the button is out of date."""

    id_format = "{rest}"

    def __init__(self, rest: str, **look: Any) -> None:
        self.rest = rest
        super().__init__(**look)


BUTTON_KINDS: tuple[type[PrepButton], ...] = (*PrepButton.kinds, StaleButton)


def make_view(buttons: Iterable[PrepButton]) -> discord.ui.View:
    """A persistent view of the buttons whose custom id fits Discord's limit."""
    view = discord.ui.View(timeout=None)
    for button in buttons:
        if len(button.custom_id) > CUSTOM_ID_LIMIT:
            log.warning("custom id too long, button left out: %s", button.custom_id[:40])
            continue
        view.add_item(button)
    return view


def _letters(count: int) -> list[tuple[int, str, int]]:
    """(option number, its letter, its row) for each option button."""
    shown = min(count, len(LETTERS), MAX_OPTION_BUTTONS)
    return [(number, LETTERS[number - 1], (number - 1) // 5) for number in range(1, shown + 1)]


_OPTION = discord.ButtonStyle.primary


def daily_view(daily: DailyQuestion) -> discord.ui.View:
    """A daily post: A-D options (choice items) or Answer, and Show answer."""
    post = daily.post_id
    buttons: list[PrepButton] = [
        DailyOption(post, number, label=letter, style=_OPTION, row=row)
        for number, letter, row in _letters(len(daily.question.options))
    ]
    if not daily.question.options:
        buttons.append(DailyAnswer(post, label=discord_texts.answer_button(), style=_OPTION, row=2))
    buttons.append(DailyShow(post, label=wording.button("show"), row=2))
    return make_view(buttons)


def quiz_view(session_id: int, question: QuestionView) -> discord.ui.View:
    """A quiz question: options or Answer, then Show answer, Skip and Stop."""
    ref = (session_id, question.position or 0)
    buttons: list[PrepButton] = [
        QuizOption(*ref, number, label=letter, style=_OPTION, row=row)
        for number, letter, row in _letters(len(question.options))
    ]
    if not question.options:
        buttons.append(QuizAnswer(*ref, label=discord_texts.answer_button(), style=_OPTION, row=2))
    buttons += [
        QuizShow(*ref, label=wording.button("show"), row=2),
        QuizSkip(*ref, label=wording.button("skip"), row=2),
        QuizStop(session_id, label=wording.button("stop"), style=discord.ButtonStyle.danger, row=2),
    ]
    return make_view(buttons)


def review_view(question: QuestionView) -> discord.ui.View:
    """A review card: options or Answer, and Show answer."""
    item = question.item_id
    buttons: list[PrepButton] = [
        ReviewOption(item, number, label=letter, style=_OPTION, row=row)
        for number, letter, row in _letters(len(question.options))
    ]
    if not question.options:
        answer = discord_texts.answer_button()
        buttons.append(ReviewAnswer(item, label=answer, style=_OPTION, row=2))
    buttons.append(ReviewShow(item, label=wording.button("show"), row=2))
    return make_view(buttons)


def rating_buttons(item_id: str) -> list[PrepButton]:
    """Again / Hard / Good / Easy for spaced repetition."""
    return [
        Rate(item_id, name, label=wording.button(name), style=style, row=0)
        for name, style in RATING_STYLES.items()
    ]


def after_view(item_id: str, *extra: PrepButton) -> discord.ui.View:
    """Ratings, then follow-ups such as Full answer or Next card on the row below."""
    for button in extra:
        button.row = 1
    return make_view([*rating_buttons(item_id), *extra])


def forget_view(code: str) -> discord.ui.View:
    return make_view(
        [
            ForgetConfirm(
                code, label=wording.button("delete"), style=discord.ButtonStyle.danger
            ),
            ForgetCancel(label=wording.button("cancel")),
        ]
    )


# --- the answer modal ------------------------------------------------------------------


def answer_modal(kind: str, *ref: str | int, placeholder: str | None = None) -> discord.ui.Modal:
    """A modal with one long text field; `kind` d(aily), q(uiz), r(eview) or a(uto)."""
    custom_id = ":".join([MODAL_PREFIX, kind, *(str(part) for part in ref)])
    title = discord_texts.answer_form_title()
    modal = discord.ui.Modal(title=title, custom_id=custom_id[:CUSTOM_ID_LIMIT])
    modal.add_item(
        discord.ui.TextInput(
            label=wording.answer_title(),
            style=discord.TextStyle.long,
            custom_id=ANSWER_INPUT,
            placeholder=(placeholder or discord_texts.answer_form_hint())[:100],
            max_length=ANSWER_MAX_LENGTH,
        )
    )
    # Stopped before sending, so discord.py does not keep it: the submission is handled from
    # the raw interaction (PrepBot.on_interaction), which also works after a restart.
    modal.stop()
    return modal


def parse_modal_id(custom_id: str) -> tuple[str, str] | None:
    """(kind, ref) of one of our modals, or None for anything else."""
    match = _MODAL_RE.fullmatch(custom_id)
    return (match["kind"], match["ref"] or "") if match else None


def modal_text(components: Sequence[Any], input_id: str = ANSWER_INPUT) -> str:
    """The value of a text input in a modal submission (action rows or labels)."""
    for component in components:
        if not isinstance(component, dict):
            continue
        if component.get("custom_id") == input_id and "value" in component:
            return str(component["value"] or "")
        nested = list(component.get("components") or [])
        if "component" in component:
            nested.append(component["component"])
        found = modal_text(nested, input_id)
        if found:
            return found
    return ""
