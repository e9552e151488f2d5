"""Smoke tests: the real, unmodified discord.py 2.7 works against the fake Discord server."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import discord
import pytest
from discord import app_commands

from tests.adapters.discord.fake_api import (
    CALLBACK_AUTOCOMPLETE,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_UPDATE_MESSAGE,
    EPHEMERAL,
    INTENT_MESSAGE_CONTENT,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    MESSAGE_BUCKET_HASH,
    FakeDiscord,
)
from tests.adapters.discord.fake_fixtures import (
    fake_discord,
    make_bot,
    patch_discord,
    start_client,
    stop_client,
)
from tests.adapters.ratelimits import discord_rules

__all__ = ["fake_discord"]  # re-exported fixture (no shared conftest for platform tests)

pytestmark = pytest.mark.timeout(30)

MESSAGES = r"/channels/\d+/messages"


@pytest.mark.timeout(15)
async def test_login_ready_and_guild_create(fake_discord: FakeDiscord) -> None:
    bot = await start_client(fake_discord, make_bot())
    assert bot.user is not None and bot.user.id == fake_discord.bot.id
    assert bot.application_id == fake_discord.application_id
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None and guild.name == "Test Guild"
    assert guild.member_count == 3
    assert guild.me is not None
    channel = guild.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel) and channel.name == "general"
    assert channel.permissions_for(guild.me).send_messages
    session = await fake_discord.wait_for_identify()
    # The fake compresses as discord.py asks: zstd-stream when zstandard is installed.
    expected = discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
    assert session.query.get("compress") == expected in ("zlib-stream", "zstd-stream")
    assert session.identify is not None and session.identify["token"] == "fake-token"
    assert fake_discord.find_requests("GET", "/users/@me")
    assert fake_discord.find_requests("GET", "/oauth2/applications/@me")
    assert bot.latency < 5  # a heartbeat was ACKed
    assert not fake_discord.unhandled


async def test_tree_sync_global_and_guild(fake_discord: FakeDiscord) -> None:
    bot = make_bot()

    @bot.tree.command(name="daily", description="Today's question")
    async def daily(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("q")

    schedule = app_commands.Group(name="schedule", description="Admin schedule")

    @schedule.command(name="set", description="Set the schedule")
    async def schedule_set(interaction: discord.Interaction, time: str) -> None:
        await interaction.response.send_message(time)

    bot.tree.add_command(schedule)
    await start_client(fake_discord, bot)

    synced = await bot.tree.sync()
    assert sorted(c.name for c in synced) == ["daily", "schedule"]
    assert all(c.id for c in synced)
    target = discord.Object(id=fake_discord.guild.id)
    bot.tree.copy_global_to(guild=target)
    guild_synced = await bot.tree.sync(guild=target)
    assert sorted(c.name for c in guild_synced) == ["daily", "schedule"]
    assert guild_synced[0].guild_id == fake_discord.guild.id

    global_sync, guild_sync = fake_discord.command_syncs
    assert global_sync.guild_id is None and sorted(global_sync.names) == ["daily", "schedule"]
    assert guild_sync.guild_id == fake_discord.guild.id
    sub = next(c for c in guild_sync.commands if c["name"] == "schedule")["options"][0]
    assert sub["name"] == "set" and sub["options"][0]["name"] == "time"
    # Re-syncing keeps command ids stable, as Discord does.
    again = await bot.tree.sync()
    assert {c.name: c.id for c in again} == {c.name: c.id for c in synced}


async def test_slash_command_ephemeral_reply_and_permissions(fake_discord: FakeDiscord) -> None:
    bot = make_bot()
    seen: list[tuple[int, bool, int]] = []

    @bot.tree.command(name="stats", description="Your stats")
    @app_commands.describe(window="week, month or all")
    async def stats(interaction: discord.Interaction, window: str, count: int = 1) -> None:
        assert interaction.guild is not None and interaction.channel is not None
        seen.append((count, interaction.permissions.manage_guild, interaction.user.id))
        await interaction.response.send_message(f"{window}:{count}", ephemeral=True)

    await start_client(fake_discord, bot)
    await bot.tree.sync()

    inter = await fake_discord.slash("stats", {"window": "week", "count": 3})
    cb = await fake_discord.wait_for_callback(inter)
    assert cb.type == CALLBACK_MESSAGE
    assert cb.flags == EPHEMERAL and cb.ephemeral
    assert cb.content == "week:3"
    assert seen == [(3, False, fake_discord.user.id)]
    original = fake_discord.messages[inter.original_message_id or 0]
    assert original["flags"] & EPHEMERAL and original["interaction_metadata"]["name"] == "stats"

    admin = await fake_discord.slash("stats", {"window": "all"}, user=fake_discord.admin)
    await fake_discord.wait_for_callback(admin)
    assert seen[-1] == (1, True, fake_discord.admin.id)
    override = await fake_discord.slash(
        "stats", {"window": "all"}, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD
    )
    await fake_discord.wait_for_callback(override)
    assert seen[-1][1] is True


async def test_autocomplete_defer_and_followup(fake_discord: FakeDiscord) -> None:
    bot = make_bot()

    async def topics(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["python", "pytorch", "sql"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    @bot.tree.command(name="quiz", description="Start a quiz")
    @app_commands.autocomplete(topic=topics)
    async def quiz(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"quiz on {topic}", ephemeral=True)
        await interaction.followup.send("second")

    await start_client(fake_discord, bot)
    await bot.tree.sync()

    auto = await fake_discord.autocomplete("quiz", {"topic": "py"}, focused="topic")
    cb = await fake_discord.wait_for_callback(auto)
    assert cb.type == CALLBACK_AUTOCOMPLETE
    assert [c["value"] for c in cb.data["choices"]] == ["python", "pytorch"]

    inter = await fake_discord.slash("quiz", {"topic": "sql"})
    cb = await fake_discord.wait_for_callback(inter)
    assert cb.type == CALLBACK_DEFERRED_MESSAGE and cb.ephemeral
    await fake_discord.wait_until(lambda: len(inter.followup_ids) == 2)
    first, second = (fake_discord.messages[i] for i in inter.followup_ids)
    assert first["id"] == str(inter.original_message_id)  # the deferral is filled in
    assert first["content"] == "quiz on sql" and first["flags"] == EPHEMERAL
    assert second["content"] == "second" and second["flags"] == 0


class PersistentView(discord.ui.View):
    """A persistent view with a stable custom_id."""

    def __init__(self, clicks: list[str]) -> None:
        super().__init__(timeout=None)
        self.clicks = clicks

    @discord.ui.button(
        label="Show answer", custom_id="reveal:42", style=discord.ButtonStyle.primary
    )
    async def reveal(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        self.clicks.append(f"{interaction.user.id}:{button.custom_id}")
        await interaction.response.send_message("the answer", ephemeral=True)


class OptionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"opt:(?P<item>\d+):(?P<choice>[A-D])"
):
    """A dynamic A-D option button that survives restarts."""

    def __init__(self, item_id: int, choice: str) -> None:
        super().__init__(discord.ui.Button(label=choice, custom_id=f"opt:{item_id}:{choice}"))
        self.item_id, self.choice = item_id, choice  # ``self.item`` is the wrapped button

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> OptionButton:
        return cls(int(match["item"]), match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=f"picked {self.choice} for {self.item_id}")


async def test_components_persistent_view_and_dynamic_item(fake_discord: FakeDiscord) -> None:
    bot = make_bot()
    clicks: list[str] = []
    bot.add_view(PersistentView(clicks))
    bot.add_dynamic_items(OptionButton)
    await start_client(fake_discord, bot)

    channel = bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("Daily question", view=PersistentView(clicks))
    stored = fake_discord.messages[sent.id]
    assert stored["components"][0]["components"][0]["custom_id"] == "reveal:42"

    inter = await fake_discord.component("reveal:42")
    assert inter.message_id == sent.id
    cb = await fake_discord.wait_for_callback(inter)
    assert cb.type == CALLBACK_MESSAGE and cb.ephemeral and cb.content == "the answer"
    assert clicks == [f"{fake_discord.user.id}:reveal:42"]

    # A message the bot never saw in this process (e.g. posted before a restart).
    dyn = await fake_discord.component("opt:7:C", channel_id=fake_discord.daily_channel.id)
    cb = await fake_discord.wait_for_callback(dyn)
    assert cb.type == CALLBACK_UPDATE_MESSAGE and cb.content == "picked C for 7"
    assert fake_discord.messages[dyn.message_id or 0]["content"] == "picked C for 7"


class AnswerModal(discord.ui.Modal, title="Your answer"):
    """A modal with one long text input."""

    answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
        label="Answer", style=discord.TextStyle.long, custom_id="answer_text"
    )

    def __init__(self, got: asyncio.Future[str]) -> None:
        super().__init__(custom_id="answer_modal:42")
        self.got = got

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.got.set_result(self.answer.value)
        await interaction.response.send_message("graded: 3/5", ephemeral=True)


async def test_modal_submit_reaches_on_submit(fake_discord: FakeDiscord) -> None:
    bot = make_bot()
    got: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    @bot.tree.command(name="answer", description="Answer today's question")
    async def answer(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(AnswerModal(got))

    await start_client(fake_discord, bot)
    await bot.tree.sync()

    opened = await fake_discord.slash("answer")
    cb = await fake_discord.wait_for_callback(opened)
    assert cb.type == CALLBACK_MODAL and cb.data["custom_id"] == "answer_modal:42"

    submit = await fake_discord.modal_submit(
        "answer_modal:42", {"answer_text": "A hash map gives O(1) lookups"}
    )
    assert await asyncio.wait_for(got, 5) == "A hash map gives O(1) lookups"
    cb = await fake_discord.wait_for_callback(submit)
    assert cb.type == CALLBACK_MESSAGE and cb.ephemeral and cb.content == "graded: 3/5"


async def test_nonce_enforced_send_creates_one_message(fake_discord: FakeDiscord) -> None:
    bot = await start_client(fake_discord, make_bot())
    channel = bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("daily #1", nonce="outbox-17")
    second = await channel.send("daily #1", nonce="outbox-17")
    assert first.id == second.id
    assert [m["content"] for m in fake_discord.channel_messages(channel.id)] == ["daily #1"]
    posts = fake_discord.find_requests("POST", MESSAGES)
    assert len(posts) == 2 and all(p.json["enforce_nonce"] for p in posts)
    third = await channel.send("daily #1", nonce="outbox-18")
    assert third.id != first.id


async def test_429_is_retried(fake_discord: FakeDiscord) -> None:
    bot = await start_client(fake_discord, make_bot())
    channel = bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    fake_discord.fail("POST", MESSAGES, 429, retry_after=0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    msg = await channel.send("after the rate limit")
    assert loop.time() - started >= 0.2
    posts = fake_discord.find_requests("POST", MESSAGES)
    assert [p.status for p in posts] == [429, 200]
    assert fake_discord.messages[msg.id]["content"] == "after the rate limit"


async def test_403_raises_forbidden(fake_discord: FakeDiscord) -> None:
    bot = await start_client(fake_discord, make_bot())
    channel = bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    fake_discord.fail("POST", MESSAGES, 403)
    with pytest.raises(discord.Forbidden) as excinfo:
        await channel.send("nope")
    assert excinfo.value.code == 50013 and excinfo.value.text == "Missing Permissions"
    assert not fake_discord.messages
    fake_discord.fail("POST", MESSAGES, 404)
    with pytest.raises(discord.NotFound) as missing:
        await channel.send("gone")
    assert missing.value.code == 10003


async def test_message_create_respects_content_intent_and_restart(
    fake_discord: FakeDiscord,
) -> None:
    received: list[str] = []
    bot = make_bot()

    @bot.event
    async def on_message(message: discord.Message) -> None:
        received.append(message.content)

    await start_client(fake_discord, bot)
    await fake_discord.message_create("my answer is 42")
    await fake_discord.wait_until(lambda: received)
    assert received == [""]  # no message-content intent: Discord blanks the content
    await stop_client(bot)

    intents = discord.Intents.default()
    intents.message_content = True
    bot2 = make_bot(intents=intents)
    bot2.add_listener(on_message, "on_message")
    await start_client(fake_discord, bot2)
    assert fake_discord.sessions[-1].intents & INTENT_MESSAGE_CONTENT
    await fake_discord.message_create("my answer is 42")
    await fake_discord.wait_until(lambda: len(received) == 2)
    assert received[-1] == "my answer is 42"


async def test_button_survives_restart(fake_discord: FakeDiscord) -> None:
    first_clicks: list[str] = []
    bot = make_bot()
    bot.add_view(PersistentView(first_clicks))
    await start_client(fake_discord, bot)
    channel = bot.get_channel(fake_discord.daily_channel.id)
    assert isinstance(channel, discord.TextChannel)
    posted = await channel.send("Daily question", view=PersistentView(first_clicks))
    await stop_client(bot)

    clicks: list[str] = []
    bot2 = make_bot()
    bot2.add_view(PersistentView(clicks))
    await start_client(fake_discord, bot2)
    inter = await fake_discord.component("reveal:42", user=fake_discord.admin)
    assert inter.message_id == posted.id
    cb = await fake_discord.wait_for_callback(inter)
    assert cb.content == "the answer"
    assert clicks == [f"{fake_discord.admin.id}:reveal:42"] and not first_clicks


async def test_subcommands_dm_and_interaction_rules(fake_discord: FakeDiscord) -> None:
    bot = make_bot()
    seen: list[Any] = []
    schedule = app_commands.Group(
        name="schedule",
        description="Admin schedule",
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @schedule.command(name="set", description="Set the schedule")
    async def schedule_set(
        interaction: discord.Interaction, time: str, thread: bool = False
    ) -> None:
        seen.append((time, thread, interaction.permissions.manage_guild))
        await interaction.response.defer(ephemeral=True)
        await interaction.edit_original_response(content="saved")
        await interaction.followup.send("note")

    @bot.tree.command(name="help", description="Help")
    async def help_(interaction: discord.Interaction) -> None:
        seen.append(type(interaction.channel).__name__)
        await interaction.response.send_message("help text")
        try:  # a second acknowledgement is refused, as by Discord
            await interaction.response.defer()
        except discord.InteractionResponded:
            seen.append("responded")

    @bot.tree.command(name="slow", description="Too slow to answer")
    async def slow(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("late")
        except discord.NotFound as exc:
            seen.append(exc.code)

    bot.tree.add_command(schedule)
    await start_client(fake_discord, bot)
    await bot.tree.sync()
    assert fake_discord.commands[None]["schedule"]["default_member_permissions"] == "32"

    inter = await fake_discord.slash(
        "schedule set", {"time": "09:00", "thread": True}, user=fake_discord.admin
    )
    await fake_discord.wait_until(lambda: inter.followup_ids)
    assert seen[0] == ("09:00", True, True)
    original = fake_discord.messages[inter.original_message_id or 0]
    assert original["content"] == "saved" and original["flags"] == EPHEMERAL  # PATCH @original
    assert fake_discord.messages[inter.followup_ids[0]]["content"] == "note"

    dm = await fake_discord.slash("help", guild_id=None)
    assert (await fake_discord.wait_for_callback(dm)).content == "help text"
    await fake_discord.wait_until(lambda: "responded" in seen)
    assert "DMChannel" in seen

    fake_discord.interaction_deadline = 0.0  # any answer is late, without a slow handler
    await fake_discord.slash("slow")
    await fake_discord.wait_until(lambda: 10062 in seen)  # Unknown interaction after 3 s


async def test_channel_api_threads_mentions_and_validation(fake_discord: FakeDiscord) -> None:
    bot = await start_client(fake_discord, make_bot())
    channel = bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    alice = fake_discord.user.id

    quiet = await channel.send(
        f"<@{alice}> @everyone", allowed_mentions=discord.AllowedMentions.none()
    )
    assert fake_discord.messages[quiet.id]["mentions"] == []
    assert not fake_discord.messages[quiet.id]["mention_everyone"]
    loud = await channel.send(f"<@{alice}>")
    assert [u["id"] for u in fake_discord.messages[loud.id]["mentions"]] == [str(alice)]

    edited = await quiet.edit(content="edited", embed=discord.Embed(description="d"))
    assert fake_discord.messages[edited.id]["embeds"][0]["description"] == "d"
    thread = await edited.create_thread(name="Discussion")
    assert thread.id == edited.id and thread.parent_id == channel.id
    in_thread = await thread.send("in thread")
    assert fake_discord.messages[in_thread.id]["channel_id"] == str(thread.id)
    await loud.delete()
    assert loud.id in fake_discord.deleted_messages

    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.code == 50035
    with pytest.raises(discord.HTTPException) as long_nonce:
        await channel.send("x", nonce="n" * 26)
    assert long_nonce.value.code == 50035
    with pytest.raises(discord.NotFound) as unknown:
        await bot.http.send_message(1, params=discord.http.handle_message_parameters("x"))
    assert unknown.value.code == 10003
    assert not fake_discord.unhandled


async def test_gateway_resume_and_privileged_intents(fake_discord: FakeDiscord) -> None:
    bot = make_bot()

    @bot.tree.command(name="help", description="Help")
    async def help_(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("help text")

    await start_client(fake_discord, bot)
    await fake_discord.send_op(7)  # RECONNECT: the client resumes on resume_gateway_url
    session = await fake_discord.wait_until(
        lambda: len(fake_discord.sessions) == 2 and fake_discord.sessions[1].resumed
    )
    assert session
    inter = await fake_discord.slash("help")
    assert (await fake_discord.wait_for_callback(inter)).content == "help text"

    fake_discord.allowed_privileged_intents = 0
    intents = discord.Intents.default()
    intents.message_content = True
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await start_client(fake_discord, make_bot(intents=intents))


async def test_opt_in_global_rate_limit_answers_a_global_429() -> None:
    """With `requests_per_second`, requests past the limit get a global 429 that
    discord.py waits out; every message still lands once."""
    fake = await FakeDiscord(requests_per_second=5).start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch_discord(patch, fake)
            bot = await start_client(fake, make_bot())
            channels = [bot.get_channel(fake.channel.id), bot.get_channel(fake.daily_channel.id)]
            texts = [c for c in channels if isinstance(c, discord.TextChannel)]
            assert len(texts) == 2
            await asyncio.sleep(1.0)  # start-up requests leave the window
            # Four per channel: within each channel's bucket (5), over the global 5/s.
            await asyncio.gather(*(texts[n % 2].send(f"m{n}") for n in range(8)))
            posts = fake.find_requests("POST", MESSAGES)
            assert fake.rate_limited >= 1  # discord.py then holds every request globally
            limited = [p for p in posts if p.status == 429]
            assert limited and all(p.response["global"] for p in limited)
            contents = sorted(
                m["content"] for c in (fake.channel, fake.daily_channel)
                for m in fake.channel_messages(c.id)
            )
            assert contents == sorted(f"m{n}" for n in range(8))
    finally:
        await fake.close()


async def test_message_posts_report_their_bucket_and_discord_py_keeps_to_it() -> None:
    """Every accepted message post carries the channel bucket's X-RateLimit-* headers (as
    Discord sends them); discord.py waits when none is left, so a channel's enforced bucket
    (time compressed 10x: 5 per 0.5 s) never answers 429 to back-to-back sends."""
    fake = await FakeDiscord(limits=discord_rules(scale=10)).start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch_discord(patch, fake)
            bot = await start_client(fake, make_bot())
            channel = bot.get_channel(fake.channel.id)
            assert isinstance(channel, discord.TextChannel)
            for n in range(12):
                await channel.send(f"m{n}")
            posts = [p for p in fake.find_requests("POST", MESSAGES) if p.status == 200]
            assert len(posts) == 12 and fake.rate_limited == 0
            headers = [p.response_headers for p in posts]
            assert {h["X-RateLimit-Bucket"] for h in headers} == {MESSAGE_BUCKET_HASH}
            assert {h["X-RateLimit-Limit"] for h in headers} == {"5"}
            left = [int(h["X-RateLimit-Remaining"]) for h in headers]
            assert left[:5] == [4, 3, 2, 1, 0]  # then discord.py waited for the reset
            assert all(0 < float(h["X-RateLimit-Reset-After"]) <= 0.5 for h in headers)
            await stop_client(bot)
    finally:
        await fake.close()
