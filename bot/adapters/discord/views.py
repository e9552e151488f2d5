"""Buttons and the answer modal, with stable custom ids that keep working after a restart.

Every button is one `ActionButton` (a `DynamicItem`) whose custom id carries all it needs:
`prepbot:<action>:<arg>:...`, e.g. `prepbot:ans:42` (answer daily post 42) or
`prepbot:qopt:7:2:3` (quiz 7, question 2, option C). Nothing is kept in memory, so a click on
a message posted before a restart is routed exactly like a fresh one. Modals likewise carry
their target in the custom id (`prepbot-modal:d:42`) and are handled from the raw
interaction, not from a modal object held in memory.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import discord

from bot.domain.choices import LETTERS
from bot.services.results import DailyQuestion, QuestionView

log = logging.getLogger(__name__)

PREFIX = "prepbot"
MODAL_PREFIX = "prepbot-modal"
ANSWER_INPUT = "answer"
CUSTOM_ID_LIMIT = 100
ANSWER_MAX_LENGTH = 4000
RATINGS = (
    ("again", "Again", discord.ButtonStyle.danger),
    ("hard", "Hard", discord.ButtonStyle.secondary),
    ("good", "Good", discord.ButtonStyle.primary),
    ("easy", "Easy", discord.ButtonStyle.success),
)
_MODAL_RE = re.compile(rf"{MODAL_PREFIX}:(?P<kind>[a-z])(?::(?P<ref>\S*))?")


@runtime_checkable
class InteractionRouter(Protocol):
    """What the bot exposes as `client.actions` to handle clicks and modal submissions."""

    async def on_button(
        self, interaction: discord.Interaction, action: str, args: Sequence[str]
    ) -> None: ...

    async def on_modal(
        self, interaction: discord.Interaction, kind: str, ref: str, text: str
    ) -> None: ...


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=rf"{PREFIX}:(?P<action>[a-z]+)(?::(?P<args>[^\s]*))?",
):
    """A button whose custom id names an action and its arguments."""

    def __init__(
        self,
        action: str,
        *args: str | int,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        row: int | None = None,
    ) -> None:
        custom_id = ":".join([PREFIX, action, *(str(arg) for arg in args)])
        super().__init__(
            discord.ui.Button(label=label[:80], style=style, custom_id=custom_id, row=row)
        )
        self.action = action
        self.args = tuple(str(arg) for arg in args)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> ActionButton:
        args = match["args"].split(":") if match["args"] else []
        label = getattr(item, "label", None) or match["action"]
        style = getattr(item, "style", discord.ButtonStyle.secondary)
        return cls(match["action"], *args, label=label, style=style)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Hand the click to the bot's router (which owns error handling)."""
        router = getattr(interaction.client, "actions", None)
        if not isinstance(router, InteractionRouter):
            log.warning("button %s clicked but no router is installed", self.custom_id)
            return
        await router.on_button(interaction, self.action, self.args)


def make_view(buttons: Iterable[ActionButton]) -> discord.ui.View:
    """A persistent view of the buttons whose custom id fits Discord's limit."""
    view = discord.ui.View(timeout=None)
    for button in buttons:
        if len(button.custom_id) > CUSTOM_ID_LIMIT:
            log.warning("custom id too long, button left out: %s", button.custom_id[:40])
            continue
        view.add_item(button)
    return view


def _option_buttons(action: str, prefix: Sequence[str | int], count: int) -> list[ActionButton]:
    return [
        ActionButton(
            action, *prefix, number, label=LETTERS[number - 1],
            style=discord.ButtonStyle.primary, row=(number - 1) // 5,
        )
        for number in range(1, min(count, len(LETTERS)) + 1)
    ]


def daily_view(daily: DailyQuestion) -> discord.ui.View:
    """A daily post: A-D options (choice items) or Answer, and Show answer."""
    post = daily.post_id
    buttons = _option_buttons("opt", [post], len(daily.question.options))
    if not daily.question.options:
        buttons.append(
            ActionButton("ans", post, label="Answer", style=discord.ButtonStyle.primary, row=2)
        )
    buttons.append(ActionButton("show", post, label="Show answer", row=2))
    return make_view(buttons)


def quiz_view(session_id: int, question: QuestionView) -> discord.ui.View:
    """A quiz question: options or Answer, then Show answer, Skip and Stop."""
    position = question.position or 0
    ref = (session_id, position)
    buttons = _option_buttons("qopt", ref, len(question.options))
    if not question.options:
        buttons.append(
            ActionButton("qans", *ref, label="Answer", style=discord.ButtonStyle.primary, row=2)
        )
    buttons += [
        ActionButton("qshow", *ref, label="Show answer", row=2),
        ActionButton("qskip", *ref, label="Skip", row=2),
        ActionButton("qstop", session_id, label="Stop", style=discord.ButtonStyle.danger, row=2),
    ]
    return make_view(buttons)


def review_view(question: QuestionView) -> discord.ui.View:
    """A review card: options or Answer, and Show answer."""
    item = question.item_id
    buttons = _option_buttons("ropt", [item], len(question.options))
    if not question.options:
        buttons.append(
            ActionButton("rans", item, label="Answer", style=discord.ButtonStyle.primary, row=2)
        )
    buttons.append(ActionButton("rshow", item, label="Show answer", row=2))
    return make_view(buttons)


def rating_buttons(item_id: str) -> list[ActionButton]:
    """Again / Hard / Good / Easy for spaced repetition."""
    return [
        ActionButton("rate", item_id, name, label=label, style=style, row=0)
        for name, label, style in RATINGS
    ]


def after_view(item_id: str, *extra: ActionButton) -> discord.ui.View:
    """Ratings, then follow-ups such as Full answer or Next card on the row below."""
    for button in extra:
        button.row = 1
    return make_view([*rating_buttons(item_id), *extra])


def forget_view(code: str) -> discord.ui.View:
    return make_view(
        [
            ActionButton("forget", code, label="Delete my data", style=discord.ButtonStyle.danger),
            ActionButton("keep", label="Cancel"),
        ]
    )


# --- the answer modal ------------------------------------------------------------------


def answer_modal(kind: str, *ref: str | int, placeholder: str | None = None) -> discord.ui.Modal:
    """A modal with one long text field; `kind` d(aily), q(uiz), r(eview) or a(uto)."""
    custom_id = ":".join([MODAL_PREFIX, kind, *(str(part) for part in ref)])
    modal = discord.ui.Modal(title="Your answer", custom_id=custom_id[:CUSTOM_ID_LIMIT])
    modal.add_item(
        discord.ui.TextInput(
            label="Answer",
            style=discord.TextStyle.long,
            custom_id=ANSWER_INPUT,
            placeholder=(placeholder or "Explain in your own words.")[:100],
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
