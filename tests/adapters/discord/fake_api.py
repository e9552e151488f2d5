"""An offline fake of Discord's REST API and gateway, for driving real discord.py 2.7 clients.

The fake is an aiohttp server on 127.0.0.1 (ephemeral port). Point discord.py at it by patching
``discord.http.Route.BASE`` to :attr:`FakeDiscord.api_base` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` to ``yarl.URL(fake.gateway_url)``
(see ``tests/adapters/discord/fake_fixtures.py``). The library itself runs unmodified.

It serves what a bot built on app commands needs: login (``/users/@me``,
``/oauth2/applications/@me``), ``/gateway[/bot]``, command sync, channel messages (with
``nonce``/``enforce_nonce`` de-duplication and Discord's length limits), interaction callbacks
and follow-up webhooks, threads, members, DMs; and a gateway (HELLO, IDENTIFY, heartbeats,
READY, GUILD_CREATE, RESUME, zlib-stream compression) through which tests inject
INTERACTION_CREATE / MESSAGE_CREATE events. Every request is recorded; errors (403, 404, 429
with ``retry_after``) can be injected per route.

Known traps it reproduces: the JSON content type is exactly ``application/json`` (discord.py
compares it literally); a 429 needs a ``Via`` header or discord.py treats it as a Cloudflare
ban; interactions must be acknowledged within 3 s and only once; GUILD_CREATE carries only
the bot's member unless the members intent was requested; message content is blanked
without the message-content intent.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import itertools
import json
import math
import re
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import zstandard
from aiohttp import WSMsgType, web

from tests.adapters.ratelimits import Buckets, RateRules, Window

JSON = dict[str, Any]
T = TypeVar("T")

DISCORD_EPOCH_MS = 1_420_070_400_000

# --- Permission bits (https://discord.com/developers/docs/topics/permissions) -------------
CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38

#: What ``@everyone`` gets in a new server.
MEMBER_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
)
#: What an interaction's ``member.permissions`` holds for an administrator (every bit).
ALL_PERMISSIONS = (1 << 51) - 1
#: The bot's permissions as an invite link with the usual scopes would grant them.
BOT_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_THREADS | MANAGE_MESSAGES

# --- Gateway intents --------------------------------------------------------------------------
INTENT_GUILDS = 1 << 0
INTENT_MEMBERS = 1 << 1
INTENT_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DM_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_MEMBERS | INTENT_PRESENCES | INTENT_MESSAGE_CONTENT

# --- JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes) ---
GENERAL_ERROR = 0
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_WEBHOOK = 10015
UNKNOWN_INTERACTION = 10062
INTERACTION_ALREADY_ACKNOWLEDGED = 40060
MISSING_ACCESS = 50001
CANNOT_SEND_EMPTY_MESSAGE = 50006
MISSING_PERMISSIONS = 50013
INVALID_FORM_BODY = 50035

ERROR_MESSAGES: dict[int, str] = {
    UNKNOWN_CHANNEL: "Unknown Channel",
    UNKNOWN_GUILD: "Unknown Guild",
    UNKNOWN_MEMBER: "Unknown Member",
    UNKNOWN_MESSAGE: "Unknown Message",
    UNKNOWN_WEBHOOK: "Unknown Webhook",
    UNKNOWN_INTERACTION: "Unknown interaction",
    INTERACTION_ALREADY_ACKNOWLEDGED: "Interaction has already been acknowledged.",
    MISSING_ACCESS: "Missing Access",
    CANNOT_SEND_EMPTY_MESSAGE: "Cannot send an empty message",
    MISSING_PERMISSIONS: "Missing Permissions",
    INVALID_FORM_BODY: "Invalid Form Body",
}
_DEFAULT_CODE_FOR_STATUS: dict[int, int] = {403: MISSING_PERMISSIONS, 404: UNKNOWN_CHANNEL}

# --- Interaction and callback types -------------------------------------------------------
PING = 1
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE = 8
CALLBACK_MODAL = 9

EPHEMERAL = 1 << 6
LOADING = 1 << 7

TEXT_CHANNEL = 0
DM_CHANNEL = 1
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12

_SUBCOMMAND = 1
_SUBCOMMAND_GROUP = 2
_OPTION_USER = 6
_OPTION_CHANNEL = 7
_OPTION_ROLE = 8
_OPTION_ATTACHMENT = 11


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class _Snowflakes:
    """Monotonic, time-based snowflakes so ``created_at`` on fake objects is sensible."""

    def __init__(self) -> None:
        self._last = 0

    def __call__(self) -> int:
        value = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(value, self._last + 1)
        return self._last


# --- Configuration objects -----------------------------------------------------------------


@dataclass
class FakeUser:
    """A Discord user as the fake knows it."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    def payload(self) -> JSON:
        """The user object as Discord serialises it."""
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class FakeAttachment:
    """A file a user attaches to a slash command option; served at its CDN URL."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


@dataclass
class FakeMember:
    """A guild member; ``permissions`` is what interactions report for them."""

    user: FakeUser
    roles: list[int] = field(default_factory=list)
    permissions: int = MEMBER_PERMISSIONS
    nick: str | None = None

    def payload(self, *, with_permissions: bool = False) -> JSON:
        """The guild member object (with ``permissions`` as in interactions)."""
        data: JSON = {
            "user": self.user.payload(),
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_permissions:
            data["permissions"] = str(self.permissions)
        return data


@dataclass
class FakeChannel:
    """A guild text channel, thread or DM channel."""

    id: int
    name: str
    type: int = TEXT_CHANNEL
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    owner_id: int | None = None
    recipients: list[FakeUser] = field(default_factory=list)

    def payload(self) -> JSON:
        """The channel object as Discord serialises it."""
        if self.type == DM_CHANNEL:
            return {
                "id": str(self.id),
                "type": DM_CHANNEL,
                "last_message_id": None,
                "recipients": [u.payload() for u in self.recipients],
                "flags": 0,
            }
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id) if self.guild_id else None,
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "topic": self.topic,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }
        if self.type in (PUBLIC_THREAD, PRIVATE_THREAD):
            data.pop("permission_overwrites")
            data.pop("position")
            data.update(
                owner_id=str(self.owner_id),
                message_count=0,
                member_count=1,
                total_message_sent=0,
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": _now_iso(),
                    "locked": False,
                    "create_timestamp": _now_iso(),
                },
            )
        return data


@dataclass
class FakeGuild:
    """A guild: channels, members (the bot included) and roles."""

    id: int
    name: str
    owner_id: int
    channels: list[FakeChannel] = field(default_factory=list)
    members: list[FakeMember] = field(default_factory=list)
    roles: list[JSON] = field(default_factory=list)

    def member(self, user_id: int) -> FakeMember | None:
        """The member with this user id, if any."""
        return next((m for m in self.members if m.user.id == user_id), None)

    def payload(self, *, bot_id: int, all_members: bool) -> JSON:
        """The GUILD_CREATE payload; only the bot's member unless ``all_members``."""
        members = [m for m in self.members if all_members or m.user.id == bot_id]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "features": [],
            "roles": self.roles,
            "emojis": [],
            "stickers": [],
            "large": False,
            "unavailable": False,
            "lazy": True,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "member_count": len(self.members),
            "members": [m.payload() for m in members],
            "channels": [
                c.payload() for c in self.channels if c.type not in (PUBLIC_THREAD, PRIVATE_THREAD)
            ],
            "threads": [
                c.payload() for c in self.channels if c.type in (PUBLIC_THREAD, PRIVATE_THREAD)
            ],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "application_id": None,
        }


# --- Records ---------------------------------------------------------------------------


@dataclass
class RecordedFile:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    size: int
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request the bot made, with the fake's answer."""

    method: str
    path: str
    route: str
    query: dict[str, str]
    json: Any
    files: list[RecordedFile]
    headers: dict[str, str]
    time: float
    status: int = 0
    response: Any = None
    response_headers: dict[str, str] = field(default_factory=dict)


@dataclass
class InteractionCallback:
    """What the bot answered to an interaction (``POST /interactions/{id}/{token}/callback``)."""

    interaction_id: int
    token: str
    type: int
    data: JSON
    time: float

    @property
    def flags(self) -> int:
        """The message flags of the response (64 = ephemeral)."""
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        """Whether the response is ephemeral."""
        return bool(self.flags & EPHEMERAL)

    @property
    def content(self) -> str | None:
        """The message content, if any."""
        return self.data.get("content")


@dataclass
class CommandSync:
    """A bulk overwrite of application commands (``tree.sync()``)."""

    guild_id: int | None
    commands: list[JSON]
    time: float

    @property
    def names(self) -> list[str]:
        """The synced command names."""
        return [c["name"] for c in self.commands]


@dataclass
class FakeInteraction:
    """An interaction the test injected, and what happened to it."""

    id: int
    token: str
    type: int
    payload: JSON
    created: float
    channel_id: int | None
    guild_id: int | None
    user_id: int
    message_id: int | None = None
    callback: InteractionCallback | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)


@dataclass
class _Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    code: int | None
    message: str | None
    retry_after: float | None
    remaining: int | None
    is_global: bool
    bucket: str | None = None  # the route's bucket hash (a channel's message bucket)

    def matches(self, method: str, path: str) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        return self.method in ("*", method) and self.pattern.fullmatch(path) is not None


@dataclass
class GatewaySession:
    """One gateway websocket connection."""

    ws: web.WebSocketResponse
    query: dict[str, str]
    compress: str | None
    session_id: str | None = None
    identify: JSON | None = None
    intents: int = 0
    seq: int = 0
    heartbeats: int = 0
    resumed: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    zlib: Any = None

    @property
    def open(self) -> bool:
        """Whether the socket is still open."""
        return not self.ws.closed

    async def send(self, payload: JSON) -> None:
        """Send one gateway payload (zlib-stream compressed if the client asked for it)."""
        text = json.dumps(payload)
        async with self.lock:
            if self.ws.closed:
                return
            if self.compress == "zlib-stream":
                if self.zlib is None:
                    self.zlib = zlib.compressobj()
                data = self.zlib.compress(text.encode()) + self.zlib.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)
            elif self.compress == "zstd-stream":  # discord.py's choice when zstandard is there
                if self.zlib is None:
                    self.zlib = zstandard.ZstdCompressor().compressobj()
                data = self.zlib.compress(text.encode())
                await self.ws.send_bytes(data + self.zlib.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK))
            else:
                await self.ws.send_str(text)


class FakeHTTPError(Exception):
    """Raised inside a route handler to answer with a Discord-shaped error."""

    def __init__(self, status: int, code: int, message: str | None = None, errors: Any = None):
        super().__init__(message or ERROR_MESSAGES.get(code, ""))
        self.status = status
        self.code = code
        self.message = message or ERROR_MESSAGES.get(code, f"{status}: error")
        self.errors = errors


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A response whose Content-Type is exactly ``application/json`` (discord.py checks it)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        content_type="application/json",
        headers=dict(headers or {}),
    )


# --- Validation of what the bot sends (Discord's documented limits) ---------------------------


def _form_error(path: str, code: str, message: str) -> FakeHTTPError:
    """A 400 Invalid Form Body with Discord's nested ``errors`` shape ("" = top level)."""
    if not path:
        return FakeHTTPError(
            400, INVALID_FORM_BODY, errors={"_errors": [{"code": code, "message": message}]}
        )
    errors: JSON = {}
    node = errors
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = {"_errors": [{"code": code, "message": message}]}
    return FakeHTTPError(400, INVALID_FORM_BODY, errors=errors)


def _check_len(value: Any, limit: int, path: str) -> None:
    if isinstance(value, str) and len(value) > limit:
        raise _form_error(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def validate_message_body(body: JSON, *, require_content: bool = True) -> None:
    """Reject what Discord would reject: empty messages, over-long fields, bad components."""
    content = body.get("content")
    _check_len(content, 2000, "content")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        raise _form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        p = f"embeds.{i}"
        _check_len(embed.get("title"), 256, f"{p}.title")
        _check_len(embed.get("description"), 4096, f"{p}.description")
        footer = embed.get("footer") or {}
        author = embed.get("author") or {}
        _check_len(footer.get("text"), 2048, f"{p}.footer.text")
        _check_len(author.get("name"), 256, f"{p}.author.name")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise _form_error(
                f"{p}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        for j, fld in enumerate(fields):
            _check_len(fld.get("name"), 256, f"{p}.fields.{j}.name")
            _check_len(fld.get("value"), 1024, f"{p}.fields.{j}.value")
            if not fld.get("name") or not fld.get("value"):
                raise _form_error(f"{p}.fields.{j}", "BASE_TYPE_REQUIRED", "This field is required")
        total += sum(
            len(x or "")
            for x in (
                embed.get("title"),
                embed.get("description"),
                footer.get("text"),
                author.get("name"),
                *(f.get("name") for f in fields),
                *(f.get("value") for f in fields),
            )
        )
    if total > 6000:
        raise _form_error(
            "embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    components = body.get("components") or []
    _validate_components(components, "components")
    nonce = body.get("nonce")
    if isinstance(nonce, str) and len(nonce) > 25:
        raise _form_error("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    has_something = (
        bool(content)
        or bool(embeds)
        or bool(components)
        or bool(body.get("attachments"))
        or bool(body.get("sticker_ids"))
        or bool(body.get("poll"))
    )
    if require_content and not has_something:
        raise FakeHTTPError(400, CANNOT_SEND_EMPTY_MESSAGE)


def _validate_components(components: list[JSON], path: str) -> None:
    rows = [c for c in components if c.get("type") == 1]
    if len(rows) > 5:
        raise _form_error(path, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for i, comp in enumerate(components):
        children = comp.get("components") or []
        if comp.get("type") == 1 and len(children) > 5:
            raise _form_error(
                f"{path}.{i}.components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."
            )
        for j, child in enumerate(
            [*children, *([comp["component"]] if "component" in comp else [])]
        ):
            cid = child.get("custom_id")
            _check_len(cid, 100, f"{path}.{i}.components.{j}.custom_id")
            _check_len(child.get("label"), 80, f"{path}.{i}.components.{j}.label")
            if cid is not None:
                if cid in seen:
                    raise _form_error(
                        f"{path}.{i}.components.{j}.custom_id",
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(cid)


_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)\b")


# --- The fake ---------------------------------------------------------------------------------

Handler = Callable[["_Request", re.Match[str]], Awaitable[web.StreamResponse]]


@dataclass
class _Request:
    raw: web.Request
    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[RecordedFile]
    record: RecordedRequest


_CHANNEL_POST = re.compile(r"/channels/(\d+)/messages")
#: A channel's message bucket: 5 messages per 5 s, one bucket hash for the route (the
#: channel is its major parameter, so each channel has its own count).
MESSAGE_BUCKET = Window(5, 5.0)
MESSAGE_BUCKET_HASH = "fakemessages0post"


class FakeDiscord:
    """Fake Discord REST API + gateway on 127.0.0.1.

    Defaults: a bot user (id == application id), one guild with two text channels
    (``general`` and ``daily``), a regular member (``user``) and an administrator (``admin``).
    """

    API_PREFIX = "/api/v10"

    def __init__(
        self,
        *,
        token: str | None = None,
        heartbeat_interval_ms: int = 41_250,
        interaction_deadline: float | None = 3.0,
        nonce_window: float = 300.0,
        allowed_privileged_intents: int = PRIVILEGED_INTENTS,
        application_flags: int = 0,
        enforce_intents: bool = True,
        echo_bot_messages: bool = False,
        requests_per_second: int | None = None,
        limits: RateRules | None = None,
    ) -> None:
        self.token = token
        # Opt-in: the global limit and channels' message buckets (tests/adapters/ratelimits).
        self.limits = limits
        # What every successful message post reports in its X-RateLimit-* headers, as
        # Discord does (the enforced window when `limits` has one).
        per_channel = limits.per_chat if limits is not None and limits.per_chat else None
        self.buckets = Buckets(per_channel or MESSAGE_BUCKET)
        # Opt-in: Discord's global limit (50 requests/s per bot, interactions exempt); beyond
        # it requests answer a global 429. `rate_limited` counts those answers.
        self.requests_per_second = requests_per_second
        self.rate_limited = 0
        self._recent: collections.deque[float] = collections.deque()
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_deadline = interaction_deadline
        self.nonce_window = nonce_window
        self.allowed_privileged_intents = allowed_privileged_intents
        self.application_flags = application_flags
        self.enforce_intents = enforce_intents
        self.echo_bot_messages = echo_bot_messages
        self.snowflake = _Snowflakes()

        base = 1_100_000_000_000_000_000
        self.bot = FakeUser(base + 1, "prepbot", "PrepBot", bot=True)
        self.application_id = self.bot.id
        self.owner = FakeUser(base + 2, "owner", "Owner")
        self.user = FakeUser(base + 10, "alice", "Alice")
        self.admin = FakeUser(base + 11, "bob", "Bob (admin)")
        gid = base + 100
        self.guild = FakeGuild(id=gid, name="Test Guild", owner_id=self.admin.id)
        self.guild.roles = [
            self.role_payload(gid, "@everyone", MEMBER_PERMISSIONS, position=0),
            self.role_payload(gid + 1, "Admin", ADMINISTRATOR, position=2),
            self.role_payload(gid + 2, "prepbot", BOT_PERMISSIONS, position=1, managed=True),
        ]
        self.channel = FakeChannel(base + 200, "general", guild_id=gid, position=0)
        self.daily_channel = FakeChannel(base + 201, "daily", guild_id=gid, position=1)
        self.guild.channels = [self.channel, self.daily_channel]
        self.guild.members = [
            FakeMember(self.bot, roles=[gid + 2], permissions=BOT_PERMISSIONS),
            FakeMember(self.user, permissions=MEMBER_PERMISSIONS),
            FakeMember(self.admin, roles=[gid + 1], permissions=ALL_PERMISSIONS),
        ]
        self.guilds: list[FakeGuild] = [self.guild]
        self.users: dict[int, FakeUser] = {
            u.id: u for u in (self.bot, self.owner, self.user, self.admin)
        }

        # State and records.
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []
        self.errors: list[str] = []
        self.messages: dict[int, JSON] = {}
        self.deleted_messages: dict[int, JSON] = {}
        self.callbacks: list[InteractionCallback] = []
        self.interactions: dict[int, FakeInteraction] = {}
        #: Attachments users sent with slash commands (by id), and which ids were fetched.
        self.attachment_files: dict[str, FakeAttachment] = {}
        self.attachment_downloads: list[str] = []
        self.command_syncs: list[CommandSync] = []
        self.commands: dict[int | None, dict[str, JSON]] = {}
        self.sessions: list[GatewaySession] = []
        self.gateway_received: list[JSON] = []
        self._channels: dict[int, FakeChannel] = {}
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self._failures: list[_Failure] = []
        self._waiters: set[asyncio.Future[None]] = set()
        self._cleanups: list[Callable[[], Awaitable[None]]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], str, Handler]] = []
        self._build_routes()

    # ----- lifecycle -------------------------------------------------------------------------

    @staticmethod
    def role_payload(
        role_id: int, name: str, permissions: int, *, position: int, managed: bool = False
    ) -> JSON:
        """A role object."""
        return {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": managed,
            "mentionable": False,
            "flags": 0,
        }

    async def start(self) -> FakeDiscord:
        """Start serving on an ephemeral port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("GET", "/", self._gateway_handler)
        app.router.add_route("*", "/api/{tail:.*}", self._rest_handler)
        app.router.add_route("GET", "/attachments/{aid}/{name}", self._attachment_handler)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def _attachment_handler(self, request: web.Request) -> web.StreamResponse:
        """The CDN URL of an attachment a user sent (what `Attachment.read` fetches)."""
        found = self.attachment_files.get(request.match_info["aid"])
        self.attachment_downloads.append(request.match_info["aid"])
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found.data, content_type=found.content_type)

    async def close(self) -> None:
        """Run registered cleanups, close gateway sockets and stop the server."""
        for cleanup in reversed(self._cleanups):
            try:
                await cleanup()
            except Exception as exc:  # pragma: no cover - reported, not raised
                self.errors.append(f"cleanup failed: {exc!r}")
        self._cleanups.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=1.0)
        for session in self.sessions:
            if session.open:
                with contextlib.suppress(Exception):
                    await session.ws.close(code=1001)
        for fut in self._waiters:
            if not fut.done():
                fut.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def add_cleanup(self, cleanup: Callable[[], Awaitable[None]]) -> None:
        """Run ``cleanup`` (e.g. closing a client) first when the fake closes."""
        self._cleanups.append(cleanup)

    @property
    def api_base(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return f"http://127.0.0.1:{self.port}{self.API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The gateway address (``ws://127.0.0.1:PORT/``)."""
        return f"ws://127.0.0.1:{self.port}/"

    # ----- waiting -----------------------------------------------------------------------------

    def _notify(self) -> None:
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters.clear()

    async def wait_until(self, check: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Wait until ``check()`` returns something truthy and return it (TimeoutError after)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.add(fut)
            try:
                # Woken by any change in the fake; the short poll also catches client-side state.
                await asyncio.wait({fut}, timeout=min(remaining, 0.01))
            finally:
                self._waiters.discard(fut)
                fut.cancel()

    def find_requests(
        self,
        method: str | None = None,
        path: str | None = None,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> list[RecordedRequest]:
        """Recorded requests filtered by method, path regex (fullmatch) and predicate."""
        pattern = re.compile(path) if path else None
        return [
            r
            for r in self.requests
            if (method is None or r.method == method)
            and (pattern is None or pattern.fullmatch(r.path))
            and (predicate is None or predicate(r))
        ]

    async def wait_for_request(
        self,
        method: str | None = None,
        path: str | None = None,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        """Wait until ``count`` matching requests were answered; return the last of them."""

        def check() -> RecordedRequest | None:
            found = [r for r in self.find_requests(method, path, predicate) if r.status]
            return found[count - 1] if len(found) >= count else None

        return await self.wait_until(check, timeout)

    async def wait_for_callback(
        self, interaction: FakeInteraction | int, timeout: float = 5.0
    ) -> InteractionCallback:
        """Wait for the bot's callback to an injected interaction."""
        iid = interaction if isinstance(interaction, int) else interaction.id
        return await self.wait_until(lambda: self.interactions[iid].callback, timeout)

    async def wait_for_message(
        self, predicate: Callable[[JSON], bool] | None = None, *, timeout: float = 5.0
    ) -> JSON:
        """Wait for a stored (not deleted) message matching ``predicate``; oldest first."""

        def check() -> JSON | None:
            return next(
                (m for m in self.messages.values() if predicate is None or predicate(m)), None
            )

        return await self.wait_until(check, timeout)

    async def wait_for_identify(self, timeout: float = 5.0) -> GatewaySession:
        """Wait for a client to identify (or resume) on the gateway."""
        return await self.wait_until(self._active_session, timeout)

    # ----- state accessors -----------------------------------------------------------------

    def channel_messages(self, channel_id: int) -> list[JSON]:
        """The live messages in a channel, oldest first."""
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel_id]

    def get_channel(self, channel_id: int) -> FakeChannel | None:
        """A channel (guild channel, thread or DM) by id."""
        if channel_id in self._channels:
            return self._channels[channel_id]
        for guild in self.guilds:
            for ch in guild.channels:
                if ch.id == channel_id:
                    return ch
        return None

    def get_guild(self, guild_id: int) -> FakeGuild | None:
        """A configured guild by id."""
        return next((g for g in self.guilds if g.id == guild_id), None)

    def add_guild(self, name: str, *, channels: Iterable[str] = ("general",)) -> FakeGuild:
        """Configure another guild (before the client connects) with the bot as member."""
        gid = self.snowflake()
        guild = FakeGuild(id=gid, name=name, owner_id=self.owner.id)
        bot_role = self.snowflake()
        guild.roles = [
            self.role_payload(gid, "@everyone", MEMBER_PERMISSIONS, position=0),
            self.role_payload(bot_role, "prepbot", BOT_PERMISSIONS, position=1, managed=True),
        ]
        guild.channels = [
            FakeChannel(self.snowflake(), n, guild_id=gid, position=i)
            for i, n in enumerate(channels)
        ]
        guild.members = [
            FakeMember(self.bot, roles=[bot_role], permissions=BOT_PERMISSIONS),
            FakeMember(self.owner, permissions=ALL_PERMISSIONS),
        ]
        self.guilds.append(guild)
        return guild

    def add_user(
        self,
        username: str,
        *,
        guild: FakeGuild | None = None,
        permissions: int = MEMBER_PERMISSIONS,
    ) -> FakeUser:
        """Create a user and make them a member of ``guild`` (default: the main guild)."""
        user = FakeUser(self.snowflake(), username, username.title())
        self.users[user.id] = user
        (guild or self.guild).members.append(FakeMember(user, permissions=permissions))
        return user

    # ----- error injection -------------------------------------------------------------------

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        retry_after: float | None = None,
        times: int | None = 1,
        code: int | None = None,
        message: str | None = None,
        is_global: bool = False,
    ) -> _Failure:
        """Answer the next ``times`` matching requests (None = all) with a Discord error.

        ``path_regex`` must fullmatch the path after ``/api/v10``, e.g.
        ``r"/channels/\\d+/messages"``. ``method`` may be ``"*"``. 403 defaults to code 50013
        (Missing Permissions), 404 to 10003 (Unknown Channel); 429 carries ``retry_after``
        (default 0.1 s) in the body plus ``Retry-After``/``X-RateLimit-*``/``Via`` headers.
        """
        failure = _Failure(
            method=method.upper(),
            pattern=re.compile(path_regex),
            status=status,
            code=code,
            message=message,
            retry_after=retry_after,
            remaining=times,
            is_global=is_global,
        )
        self._failures.append(failure)
        return failure

    def clear_failures(self) -> None:
        """Remove all injected failures."""
        self._failures.clear()

    def _failure_response(self, failure: _Failure) -> web.Response:
        if failure.remaining is not None:
            failure.remaining -= 1
        if failure.status == 429:
            retry = 0.1 if failure.retry_after is None else failure.retry_after
            body = {
                "message": "You are being rate limited.",
                "retry_after": retry,
                "global": failure.is_global,
                "code": 0,
            }
            headers = {
                "Retry-After": str(max(1, math.ceil(retry))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry:.3f}",
                "X-RateLimit-Reset-After": f"{retry:.3f}",
                "X-RateLimit-Bucket": failure.bucket or "fakebucket" + secrets.token_hex(4),
                "X-RateLimit-Scope": (
                    "global" if failure.is_global else "user" if failure.bucket else "shared"
                ),
                "Via": "1.1 google",
            }
            if failure.is_global:
                headers["X-RateLimit-Global"] = "true"
            return json_response(body, 429, headers)
        code = failure.code
        if code is None:
            code = _DEFAULT_CODE_FOR_STATUS.get(failure.status, GENERAL_ERROR)
        msg = failure.message or ERROR_MESSAGES.get(code) or f"{failure.status}: error"
        return json_response({"message": msg, "code": code}, failure.status)

    # ----- REST plumbing ------------------------------------------------------------------

    def _build_routes(self) -> None:
        """Route table: ``{name}`` placeholders are snowflakes unless listed in ``special``."""
        special = {"token": r"[^/]+", "wmessage": r"\d+|@original"}
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/users/@me", self._h_me),
            ("GET", "/oauth2/applications/@me", self._h_app),
            ("GET", "/applications/@me", self._h_app),
            ("GET", "/gateway", self._h_gateway),
            ("GET", "/gateway/bot", self._h_gateway),
            ("POST", "/auth/logout", self._h_no_content),
            ("PUT", "/applications/{app}/commands", self._h_put_commands),
            ("GET", "/applications/{app}/commands", self._h_get_commands),
            ("POST", "/applications/{app}/commands", self._h_post_command),
            ("DELETE", "/applications/{app}/commands/{command}", self._h_delete_command),
            ("PUT", "/applications/{app}/guilds/{guild}/commands", self._h_put_commands),
            ("GET", "/applications/{app}/guilds/{guild}/commands", self._h_get_commands),
            ("POST", "/applications/{app}/guilds/{guild}/commands", self._h_post_command),
            (
                "DELETE",
                "/applications/{app}/guilds/{guild}/commands/{command}",
                self._h_delete_command,
            ),
            ("GET", "/channels/{channel}", self._h_get_channel),
            ("POST", "/channels/{channel}/messages", self._h_post_message),
            ("GET", "/channels/{channel}/messages", self._h_list_messages),
            ("GET", "/channels/{channel}/messages/{message}", self._h_get_message),
            ("PATCH", "/channels/{channel}/messages/{message}", self._h_patch_message),
            ("DELETE", "/channels/{channel}/messages/{message}", self._h_delete_message),
            (
                "POST",
                "/channels/{channel}/messages/{message}/threads",
                self._h_thread_from_message,
            ),
            ("POST", "/channels/{channel}/threads", self._h_thread),
            ("POST", "/channels/{channel}/typing", self._h_no_content),
            ("GET", "/guilds/{guild}", self._h_get_guild),
            ("GET", "/guilds/{guild}/channels", self._h_guild_channels),
            ("GET", "/guilds/{guild}/members/{user}", self._h_get_member),
            ("GET", "/users/{user}", self._h_get_user),
            ("POST", "/users/@me/channels", self._h_create_dm),
            ("POST", "/interactions/{interaction}/{token}/callback", self._h_callback),
            ("POST", "/webhooks/{app}/{token}", self._h_followup),
            ("GET", "/webhooks/{app}/{token}/messages/{wmessage}", self._h_webhook_get),
            ("PATCH", "/webhooks/{app}/{token}/messages/{wmessage}", self._h_webhook_patch),
            ("DELETE", "/webhooks/{app}/{token}/messages/{wmessage}", self._h_webhook_delete),
        ]

        def compile_route(route: str) -> re.Pattern[str]:
            def group(m: re.Match[str]) -> str:
                return "(?P<" + m[1] + ">" + special.get(m[1], r"\d+") + ")"

            return re.compile(re.sub(r"\{(\w+)\}", group, route))

        self._routes = [(m, compile_route(r), r, h) for m, r, h in table]

    async def _parse_body(self, request: web.Request) -> tuple[Any, list[RecordedFile]]:
        ctype = request.content_type
        files: list[RecordedFile] = []
        if not request.can_read_body:
            return None, files
        if ctype == "application/json":
            text = await request.text()
            return (json.loads(text) if text else None), files
        if ctype.startswith("multipart/"):
            payload: Any = None
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                name = getattr(part, "name", None) or ""
                data = await part.read()  # type: ignore[union-attr]
                if name == "payload_json":
                    payload = json.loads(bytes(data).decode())
                else:
                    files.append(
                        RecordedFile(
                            field=name,
                            filename=getattr(part, "filename", None),
                            content_type=part.headers.get("Content-Type"),
                            size=len(data),
                            data=bytes(data),
                        )
                    )
            return payload, files
        raw = await request.read()
        return (raw.decode(errors="replace") if raw else None), files

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        full = request.path
        path = full[len(self.API_PREFIX) :] if full.startswith(self.API_PREFIX) else full
        body, files = await self._parse_body(request)
        record = RecordedRequest(
            method=request.method,
            path=path,
            route="",
            query=dict(request.query),
            json=body,
            files=files,
            headers=dict(request.headers),
            time=asyncio.get_running_loop().time(),
        )
        self.requests.append(record)
        try:
            response = await self._dispatch_rest(request, record)
        except Exception as exc:  # a bug in the fake: answer 500 and remember it
            self.errors.append(f"{request.method} {path}: {exc!r}")
            response = json_response({"message": "500: Internal Server Error", "code": 0}, 500)
        record.status = response.status
        posted = _CHANNEL_POST.fullmatch(path) if request.method == "POST" else None
        if posted is not None and 200 <= response.status < 300:
            response.headers.update(self._bucket_headers(posted.group(1)))
        record.response_headers = {
            name: value for name, value in response.headers.items()
            if name.lower().startswith("x-ratelimit")
        }
        if isinstance(response, web.Response) and response.body:
            with contextlib.suppress(Exception):
                record.response = json.loads(response.body)  # type: ignore[arg-type]
        self._notify()
        return response

    async def _dispatch_rest(
        self, request: web.Request, record: RecordedRequest
    ) -> web.StreamResponse:
        path, method = record.path, record.method
        if not full_api_path_ok(request.path, self.API_PREFIX):
            self.unhandled.append(record)
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        for failure in self._failures:
            if failure.matches(method, path):
                return self._failure_response(failure)
        if not path.startswith(("/interactions", "/webhooks")):
            limited = self._over_global_limit() or self._over_limits(method, path)
            if limited is not None:
                return limited
        for route_method, pattern, name, handler in self._routes:
            match = pattern.fullmatch(path)
            if match is None or route_method != method:
                continue
            record.route = name
            if not name.startswith(("/interactions", "/webhooks")) and not self._authorised(
                request
            ):
                return json_response({"message": "401: Unauthorized", "code": 0}, 401)
            req = _Request(request, method, path, record.query, record.json, record.files, record)
            try:
                return await handler(req, match)
            except FakeHTTPError as err:
                data: JSON = {"message": err.message, "code": err.code}
                if err.errors is not None:
                    data["errors"] = err.errors
                return json_response(data, err.status)
        self.unhandled.append(record)
        return json_response({"message": "404: Not Found", "code": 0}, 404)

    def _bucket_headers(self, channel: str) -> dict[str, str]:
        """The message bucket's state after an accepted post to `channel`."""
        remaining, reset_after = self.buckets.record(channel)
        return {
            "X-RateLimit-Limit": str(self.buckets.window.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": MESSAGE_BUCKET_HASH,
        }

    def _over_global_limit(self) -> web.Response | None:
        """A global 429 when `requests_per_second` requests came within the last second."""
        if self.requests_per_second is None:
            return None
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) < self.requests_per_second:
            self._recent.append(now)
            return None
        self.rate_limited += 1
        wait = max(0.001, 1.0 - (now - self._recent[0]))
        return self._failure_response(
            _Failure("*", re.compile(""), 429, None, None, wait, None, is_global=True)
        )

    def _over_limits(self, method: str, path: str) -> web.Response | None:
        """A 429 past `limits`: global, or the channel's bucket for a message post."""
        if self.limits is None:
            return None
        posted = _CHANNEL_POST.fullmatch(path) if method == "POST" else None
        refusal = self.limits.check(posted.group(1) if posted else None)
        if refusal is None:
            return None
        self.rate_limited += 1
        return self._failure_response(
            _Failure("*", re.compile(""), 429, None, None, refusal.retry_after, None,
                     is_global=refusal.is_global,
                     bucket=None if refusal.is_global else MESSAGE_BUCKET_HASH)
        )

    def _authorised(self, request: web.Request) -> bool:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bot "):
            return False
        return self.token is None or auth == f"Bot {self.token}"

    # ----- REST: identity and gateway -------------------------------------------------------

    async def _h_me(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        data = self.bot.payload()
        data.update(verified=True, mfa_enabled=False, flags=0, locale="en-US", email=None)
        return json_response(data)

    async def _h_app(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        return json_response(
            {
                "id": str(self.application_id),
                "name": "PrepBot",
                "icon": None,
                "description": "Interview practice",
                "summary": "",
                "type": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": self.owner.payload(),
                "team": None,
                "flags": self.application_flags,
                "bot": self.bot.payload(),
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "install_params": {
                    "scopes": ["bot", "applications.commands"],
                    "permissions": str(BOT_PERMISSIONS),
                },
                "integration_types_config": {"0": {}},
                "approximate_guild_count": len(self.guilds),
            }
        )

    async def _h_gateway(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        data: JSON = {"url": self.gateway_url.rstrip("/")}
        if req.path.endswith("/bot"):
            data.update(
                shards=1,
                session_start_limit={
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            )
        return json_response(data)

    async def _h_no_content(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        return web.Response(status=204)

    # ----- REST: application commands ------------------------------------------------------

    def _command_payload(self, body: JSON, guild_id: int | None) -> JSON:
        ctype = int(body.get("type", 1))
        key = (guild_id, body["name"], ctype)
        cmd_id = self._command_ids.setdefault(key, self.snowflake())
        perms = body.get("default_member_permissions")
        data: JSON = {
            "id": str(cmd_id),
            "application_id": str(self.application_id),
            "version": str(self.snowflake()),
            "type": ctype,
            "name": body["name"],
            "description": body.get("description", ""),
            "options": body.get("options", []),
            # Discord answers with the bitfield as a string, whatever was sent.
            "default_member_permissions": (None if perms is None else str(perms)),
            "dm_permission": body.get("dm_permission", True),
            "nsfw": body.get("nsfw", False),
            "name_localizations": body.get("name_localizations"),
            "description_localizations": body.get("description_localizations"),
        }
        for key_name in ("contexts", "integration_types"):
            if key_name in body:
                data[key_name] = body[key_name]
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        return data

    def _validate_command(self, body: JSON, index: int) -> None:
        name = body.get("name", "")
        ctype = int(body.get("type", 1))
        if ctype == 1 and (not re.fullmatch(r"[-_\w]{1,32}", name) or name != name.lower()):
            raise _form_error(
                f"{index}.name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
        if ctype == 1 and not 1 <= len(body.get("description", "")) <= 100:
            raise _form_error(
                f"{index}.description",
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        if len(body.get("options") or []) > 25:
            raise _form_error(
                f"{index}.options", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )

    def _scope(self, m: re.Match[str]) -> int | None:
        guild = m.groupdict().get("guild")
        if guild is not None and self.get_guild(int(guild)) is None:
            raise FakeHTTPError(403, MISSING_ACCESS)
        return int(guild) if guild is not None else None

    async def _h_put_commands(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        guild_id = self._scope(m)
        body = req.json or []
        if len(body) > 100:
            raise _form_error("", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        names: set[tuple[str, int]] = set()
        for i, cmd in enumerate(body):
            self._validate_command(cmd, i)
            key = (cmd["name"], int(cmd.get("type", 1)))
            if key in names:
                raise _form_error(
                    f"{i}.name",
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    "Application command names must be unique",
                )
            names.add(key)
        result = [self._command_payload(c, guild_id) for c in body]
        self.commands[guild_id] = {c["name"]: c for c in result}
        self.command_syncs.append(CommandSync(guild_id, result, req.record.time))
        return json_response(result)

    async def _h_get_commands(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        return json_response(list(self.commands.get(self._scope(m), {}).values()))

    async def _h_post_command(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        guild_id = self._scope(m)
        self._validate_command(req.json, 0)
        data = self._command_payload(req.json, guild_id)
        self.commands.setdefault(guild_id, {})[data["name"]] = data
        return json_response(data, 201)

    async def _h_delete_command(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        scope = self.commands.get(self._scope(m), {})
        for name, cmd in list(scope.items()):
            if cmd["id"] == m["command"]:
                del scope[name]
                return web.Response(status=204)
        raise FakeHTTPError(404, 10063, "Unknown application command")

    # ----- REST: channels, messages, threads ---------------------------------------------

    def _require_channel(self, channel_id: int) -> FakeChannel:
        channel = self.get_channel(channel_id)
        if channel is None:
            raise FakeHTTPError(404, UNKNOWN_CHANNEL)
        return channel

    def _require_message(self, channel_id: int, message_id: int) -> JSON:
        msg = self.messages.get(message_id)
        if msg is None or int(msg["channel_id"]) != channel_id:
            raise FakeHTTPError(404, UNKNOWN_MESSAGE)
        return msg

    def _mentions(self, body: JSON, reference: JSON | None) -> tuple[list[JSON], list[str], bool]:
        """Which users/roles/everyone a message would ping, per Discord's allowed_mentions rules."""
        content = body.get("content") or ""
        allowed = body.get("allowed_mentions")
        parse = (
            {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
        )
        explicit_users = {int(u) for u in (allowed or {}).get("users") or []}
        explicit_roles = {int(r) for r in (allowed or {}).get("roles") or []}
        user_ids: list[int] = []
        for raw in _USER_MENTION.findall(content):
            uid = int(raw)
            if ("users" in parse or uid in explicit_users) and uid not in user_ids:
                user_ids.append(uid)
        replied = (allowed or {}).get("replied_user", allowed is None)
        if reference is not None and replied:
            author_id = int(reference["author"]["id"])
            if author_id not in user_ids:
                user_ids.append(author_id)
        roles = [
            r
            for r in dict.fromkeys(_ROLE_MENTION.findall(content))
            if "roles" in parse or int(r) in explicit_roles
        ]
        everyone = "everyone" in parse and bool(_EVERYONE.search(content))
        users = [
            (self.users[u].payload() if u in self.users else FakeUser(u, f"user{u}").payload())
            for u in user_ids
        ]
        return users, roles, everyone

    def _attachments(self, body: JSON, files: list[RecordedFile]) -> list[JSON]:
        out: list[JSON] = []
        meta = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
        for index, f in enumerate(files):
            info = meta.get(str(index), {})
            aid = self.snowflake()
            filename = info.get("filename") or f.filename or f"file{index}"
            url = f"http://127.0.0.1:{self.port}/attachments/{aid}/{filename}"
            out.append(
                {
                    "id": str(aid),
                    "filename": filename,
                    "description": info.get("description"),
                    "content_type": f.content_type,
                    "size": f.size,
                    "url": url,
                    "proxy_url": url,
                }
            )
        return out

    def _build_message(
        self,
        channel: FakeChannel,
        body: JSON,
        files: list[RecordedFile],
        *,
        author: FakeUser | None = None,
        msg_type: int = 0,
        extra: JSON | None = None,
    ) -> JSON:
        author = author or self.bot
        reference = None
        ref = body.get("message_reference")
        if ref and ref.get("message_id"):
            reference = self.messages.get(int(ref["message_id"]))
            if reference is None and ref.get("fail_if_not_exists", True):
                raise _form_error("message_reference", "REPLIES_UNKNOWN_MESSAGE", "Unknown message")
        users, roles, everyone = self._mentions(body, reference)
        embeds = [{"type": "rich", **e} for e in body.get("embeds") or []]
        mid = self.snowflake()
        msg: JSON = {
            "id": str(mid),
            "channel_id": str(channel.id),
            "type": 19 if reference is not None and msg_type == 0 else msg_type,
            "content": body.get("content") or "",
            "author": author.payload(),
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": everyone,
            "mentions": users,
            "mention_roles": roles,
            "attachments": self._attachments(body, files),
            "embeds": embeds,
            "components": body.get("components") or [],
            "pinned": False,
            "flags": int(body.get("flags") or 0),
        }
        if channel.guild_id is not None:
            msg["guild_id"] = str(channel.guild_id)
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        if reference is not None:
            msg["message_reference"] = {
                "type": 0,
                "message_id": reference["id"],
                "channel_id": reference["channel_id"],
                **({"guild_id": reference["guild_id"]} if "guild_id" in reference else {}),
            }
            msg["referenced_message"] = reference
        if body.get("poll"):
            msg["poll"] = body["poll"]
        if extra:
            msg.update(extra)
        self.messages[mid] = msg
        self._notify()
        return msg

    async def _h_get_channel(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        return json_response(self._require_channel(int(m["channel"])).payload())

    async def _h_post_message(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        channel = self._require_channel(int(m["channel"]))
        body: JSON = req.json or {}
        validate_message_body(body | ({"attachments": [1]} if req.files else {}))
        nonce = body.get("nonce")
        now = asyncio.get_running_loop().time()
        if nonce is not None and body.get("enforce_nonce"):
            key = (self.bot.id, str(nonce))
            seen = self._nonces.get(key)
            if seen is not None and now - seen[1] <= self.nonce_window and seen[0] in self.messages:
                return json_response(self.messages[seen[0]])
        msg = self._build_message(channel, body, req.files)
        if nonce is not None:
            self._nonces[(self.bot.id, str(nonce))] = (int(msg["id"]), now)
        if self.echo_bot_messages:
            self._spawn(self._quiet_dispatch("MESSAGE_CREATE", self._gateway_message(msg)))
        return json_response(msg)

    async def _h_list_messages(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        self._require_channel(int(m["channel"]))
        limit = int(req.query.get("limit", "50"))
        msgs = list(reversed(self.channel_messages(int(m["channel"]))))[:limit]
        return json_response(msgs)

    async def _h_get_message(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        self._require_channel(int(m["channel"]))
        return json_response(self._require_message(int(m["channel"]), int(m["message"])))

    def _edit(self, msg: JSON, body: JSON, files: list[RecordedFile]) -> JSON:
        validate_message_body(body, require_content=False)
        for key in ("content", "embeds", "components", "flags"):
            if key in body and body[key] is not None:
                msg[key] = body[key]
            elif key in body:
                msg[key] = (
                    [] if key in ("embeds", "components") else ("" if key == "content" else 0)
                )
        if body.get("embeds"):
            msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"]]
        if "attachments" in body or files:
            kept = {str(a.get("id")) for a in body.get("attachments") or []}
            msg["attachments"] = [a for a in msg.get("attachments", []) if a["id"] in kept]
            msg["attachments"] += self._attachments(body, files)
        if "content" in body:
            users, roles, everyone = self._mentions(body, msg.get("referenced_message"))
            msg.update(mentions=users, mention_roles=roles, mention_everyone=everyone)
        msg["flags"] = int(msg.get("flags") or 0) & ~LOADING
        msg["edited_timestamp"] = _now_iso()
        self._notify()
        return msg

    async def _h_patch_message(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        self._require_channel(int(m["channel"]))
        msg = self._require_message(int(m["channel"]), int(m["message"]))
        if int(msg["author"]["id"]) != self.bot.id and set(req.json or {}) - {"flags"}:
            raise FakeHTTPError(403, 50005, "Cannot edit a message authored by another user")
        return json_response(self._edit(msg, req.json or {}, req.files))

    async def _h_delete_message(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        self._require_channel(int(m["channel"]))
        msg = self._require_message(int(m["channel"]), int(m["message"]))
        self.deleted_messages[int(msg["id"])] = self.messages.pop(int(msg["id"]))
        self._notify()
        return web.Response(status=204)

    def _new_thread(
        self, parent: FakeChannel, body: JSON, thread_id: int | None = None
    ) -> FakeChannel:
        if parent.type != TEXT_CHANNEL or parent.guild_id is None:
            raise _form_error("type", "THREAD_INVALID_PARENT", "Invalid parent channel")
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            raise _form_error(
                "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        thread = FakeChannel(
            id=thread_id or self.snowflake(),
            name=name,
            type=int(body.get("type") or PUBLIC_THREAD),
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=self.bot.id,
        )
        self._channels[thread.id] = thread
        guild = self.get_guild(parent.guild_id)
        if guild is not None:
            guild.channels.append(thread)
        payload = thread.payload()
        payload["thread_metadata"]["auto_archive_duration"] = int(
            body.get("auto_archive_duration") or 1440
        )
        if self._active_session() is not None:
            event = payload | {"newly_created": True}
            self._spawn(self._quiet_dispatch("THREAD_CREATE", event))
        return thread

    async def _quiet_dispatch(self, event: str, data: JSON) -> None:
        with contextlib.suppress(Exception):
            await self.dispatch(event, data, wait=0.5)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a gateway side effect of a REST call in the background (cancelled on close)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _h_thread(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        parent = self._require_channel(int(m["channel"]))
        thread = self._new_thread(parent, req.json or {})
        return json_response(thread.payload(), 201)

    async def _h_thread_from_message(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        parent = self._require_channel(int(m["channel"]))
        msg = self._require_message(parent.id, int(m["message"]))
        if msg.get("thread"):
            raise FakeHTTPError(400, 160004, "A thread has already been created for this message")
        thread = self._new_thread(
            parent, (req.json or {}) | {"type": PUBLIC_THREAD}, thread_id=int(msg["id"])
        )
        msg["thread"] = thread.payload()
        return json_response(thread.payload(), 201)

    # ----- REST: guilds, users, DMs -------------------------------------------------------

    def _require_guild(self, guild_id: int) -> FakeGuild:
        guild = self.get_guild(guild_id)
        if guild is None:
            raise FakeHTTPError(404, UNKNOWN_GUILD)
        return guild

    async def _h_get_guild(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        guild = self._require_guild(int(m["guild"]))
        data = guild.payload(bot_id=self.bot.id, all_members=False)
        for key in ("members", "channels", "threads", "presences", "voice_states"):
            data.pop(key, None)
        return json_response(data)

    async def _h_guild_channels(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        guild = self._require_guild(int(m["guild"]))
        return json_response(
            [c.payload() for c in guild.channels if c.type not in (PUBLIC_THREAD, PRIVATE_THREAD)]
        )

    async def _h_get_member(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        guild = self._require_guild(int(m["guild"]))
        member = guild.member(int(m["user"]))
        if member is None:
            raise FakeHTTPError(404, UNKNOWN_MEMBER)
        return json_response(member.payload())

    async def _h_get_user(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        user = self.users.get(int(m["user"]))
        if user is None:
            raise FakeHTTPError(404, 10013, "Unknown User")
        return json_response(user.payload())

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        """The DM channel between the bot and ``user`` (created on first use)."""
        for ch in self._channels.values():
            if ch.type == DM_CHANNEL and ch.recipients and ch.recipients[0].id == user.id:
                return ch
        ch = FakeChannel(self.snowflake(), "", type=DM_CHANNEL, recipients=[user])
        self._channels[ch.id] = ch
        return ch

    async def _h_create_dm(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        uid = int((req.json or {}).get("recipient_id", 0))
        user = self.users.get(uid)
        if user is None:
            raise FakeHTTPError(400, 50033, "Invalid Recipient(s)")
        return json_response(self.dm_channel(user).payload())

    # ----- REST: interactions --------------------------------------------------------------

    def _interaction_by_token(self, token: str, app_id: str | None = None) -> FakeInteraction:
        if app_id is not None and int(app_id) != self.application_id:
            raise FakeHTTPError(404, UNKNOWN_WEBHOOK)
        for inter in self.interactions.values():
            if inter.token == token:
                return inter
        raise FakeHTTPError(404, UNKNOWN_WEBHOOK)

    def _interaction_message_extra(self, inter: FakeInteraction) -> JSON:
        user = self.users.get(inter.user_id) or FakeUser(inter.user_id, "unknown")
        data = inter.payload.get("data") or {}
        meta: JSON = {
            "id": str(inter.id),
            "type": inter.type,
            "user": user.payload(),
            "authorizing_integration_owners": inter.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        if inter.type == APPLICATION_COMMAND:
            meta["name"] = data.get("name")
            meta["command_type"] = data.get("type", 1)
        if inter.message_id is not None:
            meta["interacted_message_id"] = str(inter.message_id)
        return {
            "interaction_metadata": meta,
            "application_id": str(self.application_id),
            "webhook_id": str(self.application_id),
        }

    def _interaction_channel(self, inter: FakeInteraction) -> FakeChannel:
        channel = self.get_channel(inter.channel_id or 0)
        if channel is None:
            raise FakeHTTPError(404, UNKNOWN_CHANNEL)
        return channel

    async def _h_callback(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        inter = self.interactions.get(int(m["interaction"]))
        if inter is None or inter.token != m["token"]:
            raise FakeHTTPError(404, UNKNOWN_INTERACTION)
        if inter.callback is not None:
            raise FakeHTTPError(400, INTERACTION_ALREADY_ACKNOWLEDGED)
        now = asyncio.get_running_loop().time()
        if (
            self.interaction_deadline is not None
            and now - inter.created > self.interaction_deadline
        ):
            raise FakeHTTPError(404, UNKNOWN_INTERACTION)
        body: JSON = req.json or {}
        ctype = int(body.get("type", 0))
        data: JSON = body.get("data") or {}
        allowed = {
            APPLICATION_COMMAND: {4, 5, 9},
            MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
            AUTOCOMPLETE: {8},
            MODAL_SUBMIT: {4, 5, 6, 7},
        }.get(inter.type, set())
        if ctype not in allowed:
            raise _form_error(
                "type", "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type"
            )
        if ctype in (CALLBACK_MESSAGE, CALLBACK_UPDATE_MESSAGE):
            validate_message_body(
                data | ({"attachments": [1]} if req.files else {}),
                require_content=ctype == CALLBACK_MESSAGE,
            )
        if ctype == CALLBACK_AUTOCOMPLETE:
            choices = data.get("choices") or []
            if len(choices) > 25:
                raise _form_error(
                    "data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
                )
            for i, choice in enumerate(choices):
                _check_len(choice.get("name"), 100, f"data.choices.{i}.name")
        if ctype == CALLBACK_MODAL:
            _check_len(data.get("title"), 45, "data.title")
            if not data.get("custom_id") or not data.get("components"):
                raise _form_error("data", "BASE_TYPE_REQUIRED", "This field is required")
        record = InteractionCallback(inter.id, inter.token, ctype, data, now)
        resource: JSON = {"type": ctype}
        info: JSON = {"id": str(inter.id), "type": inter.type}
        if ctype == CALLBACK_MESSAGE:
            msg = self._build_message(
                self._interaction_channel(inter),
                data,
                req.files,
                msg_type=20 if inter.type == APPLICATION_COMMAND else 0,
                extra=self._interaction_message_extra(inter),
            )
            inter.original_message_id = int(msg["id"])
            resource["message"] = msg
            info.update(
                response_message_id=msg["id"], response_message_ephemeral=bool(record.ephemeral)
            )
        elif ctype == CALLBACK_DEFERRED_MESSAGE:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            msg = self._build_message(
                self._interaction_channel(inter),
                {"flags": flags},
                [],
                msg_type=20 if inter.type == APPLICATION_COMMAND else 0,
                extra=self._interaction_message_extra(inter),
            )
            inter.original_message_id = int(msg["id"])
            resource["message"] = msg
            info.update(
                response_message_id=msg["id"],
                response_message_loading=True,
                response_message_ephemeral=bool(flags & EPHEMERAL),
            )
        elif ctype in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE):
            inter.original_message_id = inter.message_id
            if ctype == CALLBACK_UPDATE_MESSAGE and inter.message_id in self.messages:
                msg = self._edit(self.messages[inter.message_id], data, req.files)
                resource["message"] = msg
                info["response_message_id"] = msg["id"]
        inter.callback = record
        self.callbacks.append(record)
        self._notify()
        return json_response({"interaction": info, "resource": resource})

    def _webhook_message(self, inter: FakeInteraction, mid: str) -> JSON:
        if mid == "@original":
            if inter.original_message_id is None or inter.callback is None:
                raise FakeHTTPError(404, UNKNOWN_MESSAGE)
            message_id = inter.original_message_id
        else:
            message_id = int(mid)
        msg = self.messages.get(message_id)
        if msg is None:
            raise FakeHTTPError(404, UNKNOWN_MESSAGE)
        return msg

    async def _h_followup(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        inter = self._interaction_by_token(m["token"], m["app"])
        if inter.callback is None:
            raise FakeHTTPError(404, UNKNOWN_WEBHOOK)
        body: JSON = req.json or {}
        validate_message_body(body | ({"attachments": [1]} if req.files else {}))
        channel = self._interaction_channel(inter)
        pending = self.messages.get(inter.original_message_id or 0)
        if (
            inter.callback.type == CALLBACK_DEFERRED_MESSAGE
            and pending
            and pending["flags"] & LOADING
        ):
            # Discord turns the first follow-up after a deferral into the original response.
            msg = self._edit(pending, body | {"flags": pending["flags"] & EPHEMERAL}, req.files)
        else:
            msg = self._build_message(
                channel, body, req.files, extra=self._interaction_message_extra(inter)
            )
        inter.followup_ids.append(int(msg["id"]))
        if req.query.get("wait", "false").lower() in ("0", "false"):
            return web.Response(status=204)
        return json_response(msg)

    async def _h_webhook_get(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        inter = self._interaction_by_token(m["token"], m["app"])
        return json_response(self._webhook_message(inter, m["wmessage"]))

    async def _h_webhook_patch(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        inter = self._interaction_by_token(m["token"], m["app"])
        msg = self._webhook_message(inter, m["wmessage"])
        return json_response(self._edit(msg, req.json or {}, req.files))

    async def _h_webhook_delete(self, req: _Request, m: re.Match[str]) -> web.StreamResponse:
        inter = self._interaction_by_token(m["token"], m["app"])
        msg = self._webhook_message(inter, m["wmessage"])
        self.deleted_messages[int(msg["id"])] = self.messages.pop(int(msg["id"]))
        self._notify()
        return web.Response(status=204)

    # ----- gateway -----------------------------------------------------------------------------

    def _active_session(self) -> GatewaySession | None:
        for session in reversed(self.sessions):
            if session.open and session.session_id is not None:
                return session
        return None

    async def _gateway_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        if not ws.can_prepare(request).ok:
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        await ws.prepare(request)
        query = dict(request.query)
        session = GatewaySession(ws=ws, query=query, compress=query.get("compress"))
        self.sessions.append(session)
        try:
            await session.send(
                {
                    "op": 10,
                    "s": None,
                    "t": None,
                    "d": {
                        "heartbeat_interval": self.heartbeat_interval_ms,
                        "_trace": ["fake-gateway"],
                    },
                }
            )
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_gateway_payload(session, json.loads(msg.data))
                elif msg.type == WSMsgType.BINARY:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                elif msg.type == WSMsgType.ERROR:
                    break
        except Exception as exc:
            self.errors.append(f"gateway: {exc!r}")
        finally:
            self._notify()
        return ws

    async def _on_gateway_payload(self, session: GatewaySession, payload: JSON) -> None:
        self.gateway_received.append(payload)
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            session.heartbeats += 1
            await session.send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            await self._identify(session, data or {})
        elif op == 6:
            await self._resume(session, data or {})
        elif op == 8:
            await self._request_members(session, data or {})
        elif op in (3, 4):
            pass
        else:
            await session.ws.close(code=4001, message=b"Unknown opcode.")
        self._notify()

    async def _identify(self, session: GatewaySession, data: JSON) -> None:
        if session.session_id is not None:
            await session.ws.close(code=4005, message=b"Already authenticated.")
            return
        token = str(data.get("token", ""))
        if self.token is not None and token != self.token:
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            await session.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        session.identify = data
        session.intents = intents
        session.session_id = secrets.token_hex(16)
        ready: JSON = {
            "v": 10,
            "user": self.bot.payload() | {"verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self.guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "user_settings": {},
            "_trace": ["fake-gateway"],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        await self._send_dispatch(session, "READY", ready)
        all_members = bool(intents & INTENT_MEMBERS)
        for guild in self.guilds:
            await self._send_dispatch(
                session, "GUILD_CREATE", guild.payload(bot_id=self.bot.id, all_members=all_members)
            )

    async def _resume(self, session: GatewaySession, data: JSON) -> None:
        old = next(
            (
                s
                for s in self.sessions
                if s.session_id == data.get("session_id") and s is not session
            ),
            None,
        )
        if old is None:
            await session.send({"op": 9, "s": None, "t": None, "d": False})
            return
        session.session_id, session.intents, session.identify = (
            old.session_id,
            old.intents,
            old.identify,
        )
        session.seq = old.seq
        session.resumed = True
        old.session_id = None
        await self._send_dispatch(session, "RESUMED", {"_trace": ["fake-gateway"]})

    async def _request_members(self, session: GatewaySession, data: JSON) -> None:
        guild = self.get_guild(int(data.get("guild_id", 0)))
        if guild is None:
            return
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in guild.members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _send_dispatch(self, session: GatewaySession, event: str, data: JSON) -> None:
        session.seq += 1
        await session.send({"op": 0, "s": session.seq, "t": event, "d": data})

    async def dispatch(self, event: str, data: JSON, *, wait: float = 5.0) -> GatewaySession:
        """Send a DISPATCH event to the connected client (waiting up to ``wait`` s for one)."""
        session = await self.wait_until(self._active_session, wait)
        await self._send_dispatch(session, event, data)
        return session

    async def send_op(self, op: int, data: Any = None) -> None:
        """Send a raw gateway opcode (e.g. 7 RECONNECT, 9 INVALID_SESSION) to the client."""
        session = await self.wait_until(self._active_session, 5.0)
        await session.send({"op": op, "s": None, "t": None, "d": data})

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the gateway socket from the server side (the client should resume)."""
        session = self._active_session()
        if session is not None:
            await session.ws.close(code=code)

    # ----- injecting interactions and messages ----------------------------------------------

    def _user_context(
        self,
        user: FakeUser | None,
        guild_id: int | None,
        channel_id: int | None,
        permissions: int | None,
    ) -> tuple[JSON, int, int | None, FakeChannel]:
        user = user or self.user
        if guild_id is None:
            channel = self.get_channel(channel_id) if channel_id else self.dm_channel(user)
            if channel is None:
                raise ValueError(f"unknown channel {channel_id}")
            return {"user": user.payload()}, user.id, None, channel
        guild = self.get_guild(guild_id)
        if guild is None:
            raise ValueError(f"unknown guild {guild_id}")
        channel = self.get_channel(channel_id) if channel_id else guild.channels[0]
        if channel is None:
            raise ValueError(f"unknown channel {channel_id}")
        member = guild.member(user.id) or FakeMember(user)
        payload = member.payload(with_permissions=True)
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return {"member": payload}, user.id, guild.id, channel

    async def _inject(
        self,
        itype: int,
        data: JSON | None,
        *,
        user: FakeUser | None,
        guild_id: int | None,
        channel_id: int | None,
        permissions: int | None,
        message: JSON | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        who, user_id, gid, channel = self._user_context(user, guild_id, channel_id, permissions)
        iid = self.snowflake()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        bot_member = self.get_guild(gid).member(self.bot.id) if gid else None  # type: ignore[union-attr]
        app_perms = bot_member.permissions if bot_member else MEMBER_PERMISSIONS
        channel_payload = channel.payload()
        if gid is not None:
            channel_payload["permissions"] = who["member"]["permissions"]
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": token,
            "version": 1,
            "channel_id": str(channel.id),
            "channel": channel_payload,
            "locale": locale,
            "app_permissions": str(app_perms),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "authorizing_integration_owners": {"0": str(gid)} if gid else {"1": str(user_id)},
            "context": 0 if gid else 1,
            **who,
        }
        if data is not None:
            payload["data"] = data
        if gid is not None:
            payload["guild_id"] = str(gid)
            payload["guild"] = {"id": str(gid), "locale": "en-US", "features": []}
            payload["guild_locale"] = "en-US"
        if message is not None:
            payload["message"] = message
        inter = FakeInteraction(
            id=iid,
            token=token,
            type=itype,
            payload=payload,
            created=asyncio.get_running_loop().time(),
            channel_id=channel.id,
            guild_id=gid,
            user_id=user_id,
            message_id=int(message["id"]) if message else None,
        )
        self.interactions[iid] = inter
        await self.dispatch("INTERACTION_CREATE", payload)
        return inter

    def _find_command(self, name: str, guild_id: int | None) -> JSON | None:
        if guild_id is not None and name in self.commands.get(guild_id, {}):
            return self.commands[guild_id][name]
        return self.commands.get(None, {}).get(name)

    @staticmethod
    def _infer_type(value: Any) -> int:
        if isinstance(value, bool):
            return 5
        if isinstance(value, int):
            return 4
        if isinstance(value, float):
            return 10
        if isinstance(value, FakeUser):
            return _OPTION_USER
        if isinstance(value, FakeChannel):
            return _OPTION_CHANNEL
        if isinstance(value, FakeAttachment):
            return _OPTION_ATTACHMENT
        return 3

    def _build_options(
        self,
        values: Mapping[str, Any],
        definitions: list[JSON],
        focused: str | None,
        resolved: JSON,
    ) -> list[JSON]:
        defs = {d["name"]: d for d in definitions}
        out: list[JSON] = []
        for name, value in values.items():
            opt_type = int(defs[name]["type"]) if name in defs else self._infer_type(value)
            if isinstance(value, FakeUser):
                resolved.setdefault("users", {})[str(value.id)] = value.payload()
                member = self.guild.member(value.id)
                if member is not None:
                    mp = member.payload(with_permissions=True)
                    mp.pop("user")
                    resolved.setdefault("members", {})[str(value.id)] = mp
                value = str(value.id)
            elif isinstance(value, FakeAttachment):
                aid = str(self.snowflake())
                self.attachment_files[aid] = value
                url = f"http://127.0.0.1:{self.port}/attachments/{aid}/{value.filename}"
                resolved.setdefault("attachments", {})[aid] = {
                    "id": aid,
                    "filename": value.filename,
                    "size": len(value.data),
                    "content_type": value.content_type,
                    "url": url,
                    "proxy_url": url,
                }
                value = aid
            elif isinstance(value, FakeChannel):
                cp = value.payload()
                cp["permissions"] = str(ALL_PERMISSIONS)
                resolved.setdefault("channels", {})[str(value.id)] = cp
                value = str(value.id)
            option: JSON = {"name": name, "type": opt_type, "value": value}
            if name == focused:
                option["focused"] = True
                option["value"] = str(option["value"])
            out.append(option)
        if focused is not None and focused not in values:
            raise ValueError(f"focused option {focused!r} has no value")
        return out

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        guild_id: int | None,
        focused: str | None,
    ) -> JSON:
        parts = name.split()
        command = self._find_command(parts[0], guild_id)
        definitions: list[JSON] = (command or {}).get("options") or []
        resolved: JSON = {}
        chain: list[tuple[str, int]] = []
        for index, part in enumerate(parts[1:]):
            found = next((d for d in definitions if d["name"] == part), None)
            kind = (
                int(found["type"])
                if found
                else (_SUBCOMMAND_GROUP if index == 0 and len(parts) == 3 else _SUBCOMMAND)
            )
            chain.append((part, kind))
            definitions = (found or {}).get("options") or []
        leaf = self._build_options(options or {}, definitions, focused, resolved)
        for part, kind in reversed(chain):
            leaf = [{"name": part, "type": kind, "options": leaf}]
        data: JSON = {
            "id": command["id"] if command else str(self.snowflake()),
            "name": parts[0],
            "type": 1,
            "options": leaf,
        }
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: FakeUser | None = None,
        guild_id: int | None = -1,
        channel_id: int | None = None,
        permissions: int | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Inject a slash command (INTERACTION_CREATE type 2).

        ``name`` may include a group/subcommand path (``"schedule set"``). Option types come
        from the synced command definitions when known, else from the Python values
        (``FakeUser``/``FakeChannel`` values get ``resolved`` data). ``guild_id=None`` sends
        it from a DM; the default is the main guild. ``permissions`` overrides the member's
        permission bitfield (e.g. ``MANAGE_GUILD``).
        """
        gid = self.guild.id if guild_id == -1 else guild_id
        data = self._command_data(name, options, gid, None)
        return await self._inject(
            APPLICATION_COMMAND,
            data,
            user=user,
            guild_id=gid,
            channel_id=channel_id,
            permissions=permissions,
            locale=locale,
        )

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        user: FakeUser | None = None,
        guild_id: int | None = -1,
        channel_id: int | None = None,
    ) -> FakeInteraction:
        """Inject an autocomplete request (type 4) with ``focused`` being typed."""
        gid = self.guild.id if guild_id == -1 else guild_id
        data = self._command_data(name, options, gid, focused)
        return await self._inject(
            AUTOCOMPLETE, data, user=user, guild_id=gid, channel_id=channel_id, permissions=None
        )

    def _message_with_component(self, custom_id: str, channel_id: int | None) -> JSON | None:
        def has(components: list[JSON]) -> bool:
            for comp in components:
                if comp.get("custom_id") == custom_id:
                    return True
                nested = list(comp.get("components") or [])
                if "accessory" in comp:
                    nested.append(comp["accessory"])
                if "component" in comp:
                    nested.append(comp["component"])
                if has(nested):
                    return True
            return False

        for msg in reversed(list(self.messages.values())):
            if channel_id is not None and int(msg["channel_id"]) != channel_id:
                continue
            if has(msg.get("components") or []):
                return msg
        return None

    async def component(
        self,
        custom_id: str,
        *,
        message_id: int | None = None,
        component_type: int = 2,
        values: list[str] | None = None,
        user: FakeUser | None = None,
        guild_id: int | None = -1,
        channel_id: int | None = None,
        permissions: int | None = None,
    ) -> FakeInteraction:
        """Inject a component click/selection (type 3) on a message.

        The message is ``message_id`` if given, else the newest stored message carrying
        ``custom_id``, else a synthetic bot message with one such button (as after a restart,
        when the fake still knows the message but the bot does not).
        """
        gid = self.guild.id if guild_id == -1 else guild_id
        if message_id is not None:
            message = self.messages.get(message_id)
            if message is None:
                raise ValueError(f"unknown message {message_id}")
        else:
            message = self._message_with_component(custom_id, channel_id)
        if message is None:
            _, _, _, channel = self._user_context(user, gid, channel_id, None)
            if component_type == 2:
                comp: JSON = {"type": 2, "style": 1, "label": "button", "custom_id": custom_id}
            else:
                comp = {
                    "type": component_type,
                    "custom_id": custom_id,
                    "options": [{"label": v, "value": v} for v in values or []],
                    "min_values": 1,
                    "max_values": max(1, len(values or [])),
                }
            message = self._build_message(
                channel, {"components": [{"type": 1, "components": [comp]}]}, []
            )
        data: JSON = {"custom_id": custom_id, "component_type": component_type}
        if values is not None or component_type != 2:
            data["values"] = list(values or [])
        return await self._inject(
            MESSAGE_COMPONENT,
            data,
            user=user,
            guild_id=gid,
            channel_id=channel_id or int(message["channel_id"]),
            permissions=permissions,
            message=message,
        )

    def _modal_definition(self, custom_id: str) -> JSON | None:
        for cb in reversed(self.callbacks):
            if cb.type == CALLBACK_MODAL and cb.data.get("custom_id") == custom_id:
                return cb.data
        return None

    async def modal_submit(
        self,
        custom_id: str,
        values: Mapping[str, str | list[str]],
        *,
        user: FakeUser | None = None,
        guild_id: int | None = -1,
        channel_id: int | None = None,
        message_id: int | None = None,
    ) -> FakeInteraction:
        """Inject a modal submission (type 5): ``values`` maps input custom_ids to text.

        The component layout mirrors the modal the bot last opened with this custom_id
        (action rows or labels), falling back to one action row per value.
        """
        definition = self._modal_definition(custom_id)
        remaining = dict(values)

        def mirror(comp: JSON) -> JSON:
            ctype = comp.get("type")
            if ctype == 1:
                return {
                    "type": 1,
                    "id": comp.get("id", 0),
                    "components": [mirror(c) for c in comp.get("components", [])],
                }
            if ctype == 18:
                return {"type": 18, "id": comp.get("id", 0), "component": mirror(comp["component"])}
            cid = comp.get("custom_id")
            if cid is None:
                return {"type": ctype, "id": comp.get("id", 0)}
            value = remaining.pop(cid, None)
            if ctype == 4:
                return {"type": 4, "id": comp.get("id", 0), "custom_id": cid, "value": value or ""}
            listed = value if isinstance(value, list) else ([value] if value else [])
            return {"type": ctype, "id": comp.get("id", 0), "custom_id": cid, "values": listed}

        if definition is not None:
            components = [mirror(c) for c in definition.get("components", [])]
            if remaining:
                raise ValueError(f"modal {custom_id!r} has no inputs {sorted(remaining)}")
        else:
            components = [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
                for k, v in values.items()
            ]
        gid = self.guild.id if guild_id == -1 else guild_id
        message = self.messages.get(message_id) if message_id else None
        return await self._inject(
            MODAL_SUBMIT,
            {"custom_id": custom_id, "components": components},
            user=user,
            guild_id=gid,
            channel_id=channel_id,
            permissions=None,
            message=message,
        )

    def _gateway_message(self, msg: JSON) -> JSON:
        data = dict(msg)
        if "guild_id" in msg:
            guild = self.get_guild(int(msg["guild_id"]))
            member = guild.member(int(msg["author"]["id"])) if guild else None
            if member is not None:
                mp = member.payload()
                mp.pop("user")
                data["member"] = mp
        return data

    async def message_create(
        self,
        content: str,
        *,
        author: FakeUser | None = None,
        channel_id: int | None = None,
        reply_to: int | None = None,
        mentions: Iterable[FakeUser] = (),
    ) -> JSON:
        """Store a user message and dispatch MESSAGE_CREATE (subject to the client's intents).

        Returns the full stored message; without the message-content intent the client
        receives it with empty content (unless it mentions the bot or is a DM), like Discord.
        """
        author = author or self.user
        channel = self.get_channel(channel_id) if channel_id else self.channel
        if channel is None:
            raise ValueError(f"unknown channel {channel_id}")
        body: JSON = {"content": content, "allowed_mentions": {"parse": ["users"]}}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(reply_to)}
        msg = self._build_message(channel, body, [], author=author)
        extra = [
            u.payload() for u in mentions if str(u.id) not in {x["id"] for x in msg["mentions"]}
        ]
        msg["mentions"] = msg["mentions"] + extra
        session = await self.wait_until(self._active_session, 5.0)
        data = self._gateway_message(msg)
        if self.enforce_intents:
            in_guild = channel.guild_id is not None
            needed = INTENT_GUILD_MESSAGES if in_guild else INTENT_DM_MESSAGES
            if not session.intents & needed:
                return msg
            mentions_bot = any(int(u["id"]) == self.bot.id for u in msg["mentions"])
            if in_guild and not mentions_bot and not session.intents & INTENT_MESSAGE_CONTENT:
                data.update(content="", embeds=[], attachments=[], components=[])
                data.pop("poll", None)
        await self._send_dispatch(session, "MESSAGE_CREATE", data)
        return msg


def full_api_path_ok(path: str, prefix: str) -> bool:
    """Whether a request path is under the API prefix the client was pointed at."""
    return path == prefix or path.startswith(prefix + "/")
