"""The Discord adapter against the fake server: login, READY, intents, command sync, stop."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.discord.client import BOT_PERMISSIONS, build_intents, invite_url
from bot.errors import ConfigError
from tests.adapters.discord.fake_api import INTENT_GUILDS, PRIVILEGED_INTENTS, FakeDiscord
from tests.adapters.discord.support import (
    Harness,
    discord_harness,
    fake_discord,
    make_runtime,
    start_adapter,
)

__all__ = ["discord_harness", "fake_discord"]

pytestmark = pytest.mark.timeout(30)

COMMANDS = [
    "answer",
    "daily",
    "deck",
    "forget",
    "help",
    "interview",
    "interview-stop",
    "leaderboard",
    "leaderboard-optout",
    "quiz",
    "report",
    "reveal",
    "review",
    "schedule",
    "stats",
    "streak",
    "timezone",
    "topics",
]


async def test_login_ready_and_global_sync(discord_harness: Harness) -> None:
    fake = discord_harness.fake
    bot = discord_harness.bot
    assert bot.is_ready() and bot.user is not None and bot.user.id == fake.bot.id
    session = await fake.wait_for_identify()
    assert session.intents & INTENT_GUILDS
    assert not session.intents & PRIVILEGED_INTENTS  # no privileged intent by default
    assert len(fake.command_syncs) == 1
    sync = fake.command_syncs[0]
    assert sync.guild_id is None and sorted(sync.names) == COMMANDS
    schedule = fake.commands[None]["schedule"]
    manage_guild = discord.Permissions(manage_guild=True).value
    assert schedule["default_member_permissions"] == str(manage_guild)
    assert schedule["dm_permission"] is False  # guild only
    subcommands = sorted(option["name"] for option in schedule["options"])
    assert subcommands == ["off", "pause", "resume", "set", "show"]
    assert not fake.unhandled


async def test_guild_sync_and_bad_guild_id(fake_discord: FakeDiscord) -> None:
    runtime = make_runtime(discord_guild_ids=f"{fake_discord.guild.id},42")
    await start_adapter(fake_discord, runtime)
    synced = [sync.guild_id for sync in fake_discord.command_syncs]
    assert synced == [fake_discord.guild.id]  # 42 is refused (403) and only logged
    assert sorted(fake_discord.command_syncs[0].names) == COMMANDS
    inter = await fake_discord.slash("help")
    callback = await fake_discord.wait_for_callback(inter)
    assert callback.ephemeral and "prepbot" in callback.data["embeds"][0]["title"]


async def test_message_answers_request_message_content(fake_discord: FakeDiscord) -> None:
    adapter = await start_adapter(fake_discord, make_runtime(discord_message_answers=True))
    session = await fake_discord.wait_for_identify()
    assert session.intents & discord.Intents(message_content=True).value
    assert build_intents(False).value & discord.Intents(message_content=True).value == 0
    await adapter.stop()
    await adapter.stop()  # idempotent
    assert adapter.bot.is_closed()


async def test_missing_intent_is_a_config_error(fake_discord: FakeDiscord) -> None:
    fake_discord.allowed_privileged_intents = 0
    with pytest.raises(ConfigError, match="Message Content"):
        await start_adapter(fake_discord, make_runtime(discord_message_answers=True))


async def test_rejected_token_is_a_config_error(fake_discord: FakeDiscord) -> None:
    fake_discord.token = "the-real-one"
    with pytest.raises(ConfigError, match="DISCORD_BOT_TOKEN"):
        await start_adapter(fake_discord, make_runtime())


def test_token_required() -> None:
    with pytest.raises(ConfigError, match="DISCORD_BOT_TOKEN"):
        runtime = make_runtime(discord_bot_token=None)
        DiscordAdapter(runtime.settings, runtime.services, runtime.bank)


def test_invite_url_asks_for_exactly_what_the_bot_uses() -> None:
    url = invite_url(123)
    assert url == (
        "https://discord.com/oauth2/authorize?client_id=123&scope=bot+applications.commands"
        f"&permissions={BOT_PERMISSIONS.value}"
    )
    used = {name for name, granted in BOT_PERMISSIONS if granted}
    assert used == {
        "read_messages",  # discord.py's name for View Channel
        "send_messages",
        "embed_links",
        "read_message_history",
        "create_public_threads",
        "send_messages_in_threads",
    }
    # The README's invite link is the one the code builds (same permissions integer).
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    assert f"scope=bot+applications.commands&permissions={BOT_PERMISSIONS.value}" in readme


async def test_shard_settings_connect_only_this_process_shards(fake_discord: FakeDiscord) -> None:
    """DISCORD_SHARD_COUNT/IDS: the sharded client identifies with exactly its shard, and
    the outbox's REST sends work from it (they need no shard)."""
    runtime = make_runtime(discord_shard_count=3, discord_shard_ids=[2])
    adapter = await start_adapter(fake_discord, runtime)
    assert isinstance(adapter.bot, discord.AutoShardedClient)
    assert adapter.bot.shard_count == 3 and adapter.bot.shard_ids == [2]
    [session] = [s for s in fake_discord.sessions if s.identify is not None]
    assert session.identify is not None and session.identify["shard"] == [2, 3]
    channel = await adapter.bot.fetch_channel(fake_discord.daily_channel.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("from shard 2's process")
    assert fake_discord.channel_messages(channel.id)[-1]["content"] == "from shard 2's process"


async def test_without_shard_settings_the_client_is_not_sharded(discord_harness: Harness) -> None:
    assert not isinstance(discord_harness.bot, discord.AutoShardedClient)
    session = await discord_harness.fake.wait_for_identify()
    assert session.identify is not None and "shard" not in session.identify
