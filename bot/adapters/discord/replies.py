"""Replying to interactions, and the one error handler for commands, buttons and modals."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.utils import escape_mentions

from bot.adapters.discord.render import COMMANDS, NO_MENTIONS, pack, text_parts
from bot.presentation import wording
from bot.presentation.failures import tell_user

log = logging.getLogger(__name__)


async def send(
    interaction: discord.Interaction,
    embeds: Sequence[discord.Embed] = (),
    *,
    text: str | None = None,
    view: discord.ui.View | None = None,
    ephemeral: bool = True,
    file: discord.File | None = None,
) -> discord.Message | None:
    """Reply, or follow up after a deferral; long output becomes several messages.

    Text goes first, then embeds packed under Discord's limits; the view rides on the last
    message, the file on the first with embeds (their `attachment://` image). Returns the
    first message when Discord reports it.
    """
    chunks: list[tuple[str | None, list[discord.Embed]]] = []
    texts = text_parts(text) if text else []
    chunks += [(part, []) for part in texts[:-1]]
    last_text = texts[-1] if texts else None
    groups = pack(embeds)
    if groups:
        chunks.append((last_text, groups[0]))
        chunks += [(None, group) for group in groups[1:]]
    elif last_text is not None:
        chunks.append((last_text, []))
    first: discord.Message | None = None
    first_with_embeds = True
    for index, (content, group) in enumerate(chunks):
        with_view = view if index == len(chunks) - 1 else None
        with_file = file if group and first_with_embeds else None
        first_with_embeds = first_with_embeds and not group
        sent = await _send_one(interaction, content, group, with_view, ephemeral, with_file)
        first = first or sent
    return first


async def _send_one(
    interaction: discord.Interaction,
    content: str | None,
    embeds: list[discord.Embed],
    view: discord.ui.View | None,
    ephemeral: bool,
    file: discord.File | None = None,
) -> discord.Message | None:
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_MENTIONS}
    if file is not None:
        kwargs["file"] = file
    if content:
        kwargs["content"] = content
    if embeds:
        kwargs["embeds"] = embeds
    if view is not None:
        kwargs["view"] = view
    if not interaction.response.is_done():
        response = await interaction.response.send_message(**kwargs)
        resource = response.resource
        return resource if isinstance(resource, discord.Message) else None
    return await interaction.followup.send(wait=True, **kwargs)


async def defer(interaction: discord.Interaction, *, ephemeral: bool = True) -> None:
    """Acknowledge within Discord's 3-second window before doing slow work."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


def _unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        cause = error.original if isinstance(error, app_commands.CommandInvokeError) else None
        if cause is None:
            break
        error = cause
    return error


def describe(interaction: discord.Interaction) -> str:
    """`/schedule set` or `button prepbot:ans:42`, for log lines."""
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data: Any = interaction.data or {}
    custom_id = data.get("custom_id", "?")
    kind = "modal" if interaction.type is discord.InteractionType.modal_submit else "button"
    return f"{kind} {custom_id}"


def user_message(error: BaseException, where: str) -> str:
    """Log the error once at the level it deserves; return what to tell the user.

    Discord's own user errors (a failed command check, an option it could not convert) and
    rate limits are told here; everything else follows the shared rule
    (`bot.presentation.failures`): user errors shown, anything else an apology with a
    reference id logged at ERROR.
    """
    if isinstance(error, app_commands.CheckFailure):
        log.info("%s: check failed: %s", where, error)
        return str(error) or wording.not_here()
    if isinstance(error, app_commands.TransformerError):
        log.info("%s: bad option: %s", where, error)
        return wording.bad_option()
    if isinstance(error, discord.RateLimited):
        log.warning("%s: rate limited by Discord for %.1fs", where, error.retry_after)
        return wording.slow_down("Discord")
    told = tell_user(error, where, logger=log, transient=(discord.HTTPException,), syntax=COMMANDS)
    return told.text


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The one error handler: log once, then tell the user privately (best effort)."""
    message = escape_mentions(user_message(_unwrap(error), describe(interaction)))
    with contextlib.suppress(discord.HTTPException, discord.RateLimited):
        # The interaction may have expired (10062) or been answered already.
        await send(interaction, text=message, ephemeral=True)
