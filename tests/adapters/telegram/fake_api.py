"""In-process fake of the Telegram Bot API (aiohttp) for offline end-to-end tests.

The fake serves ``/bot{token}/{method}`` on 127.0.0.1 so an unmodified python-telegram-bot
``Application`` built with ``.base_url(fake.base_url)`` talks to it over real HTTP. It records
every request, keeps a real long-poll update queue, stores every message so edits can be
checked, and lets tests inject updates and failures.

Example::

    fake = FakeTelegram()
    await fake.start()
    fake.send_text("/start")                      # a user sends /start in a private chat
    call = await fake.wait_for_call("sendMessage")
    assert call.params["text"] == "Hello"
    await fake.close()
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import html
import itertools
import json
import math
import re
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from tests.adapters.ratelimits import RateRules
from tests.adapters.telegram.rules import CallbackRules

JSONDict = dict[str, Any]
_T = TypeVar("_T")

DEFAULT_TOKEN = "123:TEST"

#: Update types Telegram leaves out when ``allowed_updates`` is empty or was never set.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

#: Parameters whose values are plain strings: never JSON-decode them (text "42" stays "42").
STRING_PARAMS = frozenset(
    {
        "action",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "custom_title",
        "description",
        "description_parse_mode",
        "explanation",
        "explanation_parse_mode",
        "inline_message_id",
        "ip_address",
        "language_code",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "question",
        "question_parse_mode",
        "secret_token",
        "short_description",
        "text",
        "title",
        "url",
    }
)

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})

DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)

# Methods the fake accepts without modelling them (answer ``True``).
_TRUE_METHODS = frozenset(
    {
        "close",
        "logout",
        "leavechat",
        "pinchatmessage",
        "unpinchatmessage",
        "setchatmenubutton",
        "setmydescription",
        "setmyshortdescription",
        "setmyname",
        "setmessagereaction",
    }
)

#: Methods that post a message: what Telegram's ~30 messages/s limit counts.
SEND_METHODS = frozenset(
    {"sendmessage", "sendpoll", "sendphoto", "senddocument", "copymessage", "forwardmessage"}
)

EDIT_METHODS = frozenset({"editmessagetext", "editmessagereplymarkup", "editmessagecaption"})

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
POLL_QUESTION_LIMIT = 300
POLL_OPTION_LIMIT = 100
POLL_MAX_OPTIONS = 12


# ---------------------------------------------------------------------------- helpers


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (Telegram's unit for entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def make_user(
    user_id: int,
    first_name: str = "User",
    *,
    username: str | None = None,
    last_name: str | None = None,
    language_code: str | None = "en",
    is_bot: bool = False,
) -> JSONDict:
    """A Telegram ``User`` object."""
    user: JSONDict = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if last_name:
        user["last_name"] = last_name
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def make_private_chat(user: JSONDict) -> JSONDict:
    """The private ``Chat`` between the bot and ``user``."""
    chat: JSONDict = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    if user.get("username"):
        chat["username"] = user["username"]
    return chat


def make_group(
    chat_id: int = -1001234567890, title: str = "Study group", *, supergroup: bool = True
) -> JSONDict:
    """A group or supergroup ``Chat`` (supergroup ids look like ``-100...``)."""
    if chat_id >= 0:
        raise ValueError("group chat ids are negative")
    return {"id": chat_id, "type": "supergroup" if supergroup else "group", "title": title}


_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")


def command_entities(text: str) -> list[JSONDict]:
    """``bot_command`` entities as Telegram computes them (UTF-16 offsets, @botname included)."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group()),
        }
        for match in _COMMAND_RE.finditer(text)
    ]


class ApiError(Exception):
    """A Bot API error answer (``ok: false``)."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        """The JSON body Telegram sends for this error."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# ---------------------------------------------------------------------------- HTML


_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([a-zA-Z_:-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_ALL_TAGS = {*_SIMPLE_TAGS, "a", "span", "blockquote", "tg-emoji"}


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int
    language: str | None = None


def parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram HTML into plain text and entities, failing like Telegram does.

    Raises :class:`ApiError` (400 "can't parse entities") on unsupported tags, unmatched or
    unclosed tags and a ``<`` that does not start a tag.
    """
    out: list[str] = []
    pos16 = 0
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    i = 0

    def offset_bytes(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    def fail(reason: str) -> ApiError:
        return _bad(f"can't parse entities: {reason}")

    while i < len(text):
        ch = text[i]
        if ch == "<":
            match = _TAG_RE.match(text, i)
            if match is None:
                raise fail(f"Unexpected end of name token at byte offset {offset_bytes(i)}")
            closing, name, attr_text = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if name not in _ALL_TAGS:
                kind = "end" if closing else "start"
                raise fail(f'Unsupported {kind} tag "{name}" at byte offset {offset_bytes(i)}')
            if closing:
                if not stack or stack[-1].name != name:
                    expected = f'"</{stack[-1].name}>"' if stack else "no end tag"
                    raise fail(
                        f"Unmatched end tag at byte offset {offset_bytes(i)}, "
                        f'expected {expected}, found "</{name}>"'
                    )
                _close_tag(stack.pop(), pos16, stack, entities)
            else:
                attrs = {
                    m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
                    for m in _ATTR_RE.finditer(attr_text)
                }
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise fail(f'Tag "span" must have class "tg-spoiler" at byte offset {i}')
                if name == "a" and "href" not in attrs:
                    attrs["href"] = ""
                stack.append(_OpenTag(name, attrs, pos16))
            i = match.end()
            continue
        if ch == "&":
            match = _ENTITY_RE.match(text, i)
            if match is not None:
                decoded = html.unescape(match.group())
                out.append(decoded)
                pos16 += utf16_len(decoded)
                i = match.end()
                continue
        out.append(ch)
        pos16 += utf16_len(ch)
        i += 1
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_tag(tag: _OpenTag, end: int, stack: list[_OpenTag], entities: list[JSONDict]) -> None:
    length = end - tag.start
    entity: JSONDict
    if tag.name == "code" and stack and stack[-1].name == "pre" and stack[-1].start == tag.start:
        css = tag.attrs.get("class", "")
        if css.startswith("language-"):
            stack[-1].language = css.removeprefix("language-")
        return
    if tag.name in _SIMPLE_TAGS:
        entity = {"type": _SIMPLE_TAGS[tag.name]}
        if tag.name == "pre" and tag.language:
            entity["language"] = tag.language
    elif tag.name == "span":
        entity = {"type": "spoiler"}
    elif tag.name == "blockquote":
        entity = {"type": "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"}
    elif tag.name == "tg-emoji":
        entity = {"type": "custom_emoji", "custom_emoji_id": tag.attrs.get("emoji-id", "0")}
    else:  # "a"
        href = tag.attrs.get("href", "")
        user_match = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if user_match:
            user = make_user(int(user_match.group(1)))
            entity = {"type": "text_mention", "user": user}
        else:
            entity = {"type": "text_link", "url": href}
    if length > 0:
        entities.append({**entity, "offset": tag.start, "length": length})


# ---------------------------------------------------------------------------- records


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class RecordedCall:
    """One HTTP request the bot made, with its parsed parameters and the fake's answer."""

    index: int
    method: str
    params: JSONDict
    raw: JSONDict
    files: dict[str, UploadedFile]
    http_method: str
    token: str
    started: float
    finished: float | None = None
    status: int | None = None
    response: JSONDict | None = None

    @property
    def done(self) -> bool:
        """Whether the fake has answered (a pending long-poll is not done)."""
        return self.response is not None

    @property
    def ok(self) -> bool:
        """Whether the answer was ``ok: true``."""
        return bool(self.response and self.response.get("ok"))

    @property
    def result(self) -> Any:
        """The ``result`` of a successful answer (``None`` otherwise)."""
        return self.response.get("result") if self.response else None

    @property
    def description(self) -> str | None:
        """The error description of a failed answer."""
        return self.response.get("description") if self.response else None


@dataclass
class FailureRule:
    """An injected failure: the next ``times`` matching calls answer with an error."""

    method: str
    status: int
    description: str
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None
    chat_id: int | str | None = None
    remaining: int | None = 1
    hits: int = 0

    def matches(self, method: str, params: JSONDict) -> bool:
        """Whether this rule applies to a call of ``method`` with ``params``."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method != "*" and self.method != method.lower():
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)

    def error(self) -> ApiError:
        """Consume one use and build the error answer."""
        self.hits += 1
        if self.remaining is not None:
            self.remaining -= 1
        parameters: JSONDict = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        return ApiError(self.status, self.description, parameters or None)


@dataclass
class StoredMessage:
    """A message the fake knows: sent by the bot, or injected as sent by a user."""

    chat_id: int
    message_id: int
    data: JSONDict
    from_bot: bool
    method: str | None = None
    sent_text: str | None = None
    parse_mode: str | None = None
    upload: UploadedFile | None = None
    versions: list[JSONDict] = field(default_factory=list)
    deleted: bool = False

    @property
    def text(self) -> str | None:
        """Current plain text (or caption) as a user sees it (HTML already parsed)."""
        value = self.data.get("text", self.data.get("caption"))
        return str(value) if value is not None else None

    @property
    def entities(self) -> list[JSONDict]:
        """Current text (or caption) entities."""
        return list(self.data.get("entities") or self.data.get("caption_entities") or [])

    @property
    def reply_markup(self) -> JSONDict | None:
        """Current inline keyboard, if any."""
        markup = self.data.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    @property
    def buttons(self) -> list[JSONDict]:
        """Current inline keyboard buttons, row by row, flattened."""
        markup = self.reply_markup or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @property
    def callback_data(self) -> list[str]:
        """``callback_data`` of the current buttons."""
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    @property
    def poll(self) -> JSONDict | None:
        """The poll of a poll message."""
        poll = self.data.get("poll")
        return poll if isinstance(poll, dict) else None

    @property
    def edited(self) -> bool:
        """Whether the message was edited since it was sent."""
        return bool(self.versions)


# ---------------------------------------------------------------------------- the fake


Handler = Callable[[JSONDict, RecordedCall], "JSONDict | list[Any] | bool | Awaitable[Any]"]


class FakeTelegram:
    """A fake Telegram Bot API server on 127.0.0.1 with an ephemeral port."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "prepbot_test_bot",
        bot_first_name: str = "PrepBot",
        strict_chats: bool = False,
        sends_per_second: int | None = None,
        limits: RateRules | None = None,
    ) -> None:
        self.token = token
        self.strict_chats = strict_chats
        # Opt-in: Telegram's overall, per-group and per-chat limits (tests/adapters/ratelimits);
        # a group's 20 messages a minute count edits too.
        self.limits = limits
        # Opt-in: more sends than this in any one second answer 429 retry_after 1, as
        # Telegram does past its overall limit; `rate_limited` counts those answers.
        self.sends_per_second = sends_per_second
        self.rate_limited = 0
        self._recent_sends: collections.deque[float] = collections.deque()
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123
        self.bot_user: JSONDict = make_user(
            bot_id, bot_first_name, username=bot_username, language_code=None, is_bot=True
        )
        self.default_user: JSONDict = make_user(1001, "Alice", username="alice")
        self.calls: list[RecordedCall] = []
        self.unknown_calls: list[RecordedCall] = []
        self.updates: list[JSONDict] = []
        self.callback_answers: dict[str, JSONDict] = {}
        self._open_callbacks: set[str] = set()
        # Answered once, within CALLBACK_DEADLINE of the press (see rules.py).
        self.callback_rules = CallbackRules()
        self.failures: list[FailureRule] = []
        self.webhook_url: str = ""
        self._queue: list[JSONDict] = []
        self._fetched: set[int] = set()
        self._allowed_updates: list[str] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._poll_ids = itertools.count(5000000000000000001)
        self._callback_ids = itertools.count(900000000000000001)
        self._file_ids = itertools.count(1)
        self._messages: dict[tuple[int, int], StoredMessage] = {}
        self._polls: dict[str, StoredMessage] = {}
        self._votes: dict[tuple[str, int], list[int]] = {}
        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._gone: dict[int, str] = {}
        self._migrated: dict[int, int] = {}
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._poll_generation = 0
        self._waiting_polls: list[RecordedCall] = []
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._sock: socket.socket | None = None
        self.port: int = 0
        self._methods: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "sendpoll": self._send_poll,
            "stoppoll": self._stop_poll,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "getchat": self._get_chat,
            "sendchataction": self._send_chat_action,
            "getfile": self._get_file,
        }
        #: Files users sent (file_id -> name and bytes), served by getFile and /file/.
        self.user_files: dict[str, tuple[str, bytes]] = {}
        self._add_user(self.default_user)

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """Root URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for PTB's ``ApplicationBuilder.base_url`` (the token is appended by PTB)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for PTB's ``ApplicationBuilder.base_file_url``."""
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        """Start serving on 127.0.0.1 with an ephemeral port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_route)
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=2.0, handler_cancellation=True
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._sock = sock
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        """Release pending long-polls at once and stop the server (idempotent)."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ recording and waiting

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(self, check: Callable[[], _T | None], timeout: float, what: str) -> _T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            found = check()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"timed out after {timeout}s waiting for {what}; recent calls: {self.summary()}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def summary(self, last: int = 15) -> str:
        """Short text of the last calls, for assertion messages."""
        parts = [f"{c.method}->{c.status if c.done else 'pending'}" for c in self.calls[-last:]]
        return ", ".join(parts) or "(none)"

    def group_peak(self, chat_id: int, seconds: float = 60.0) -> int:
        """The most messages (sends and edits) `limits` accepted in the group `chat_id`
        within any `seconds`."""
        return self.limits.group_peak(str(chat_id), seconds) if self.limits else 0

    def mark(self) -> int:
        """Index to pass as ``since`` to only look at calls made from now on."""
        return len(self.calls)

    def calls_to(self, method: str, *, since: int = 0, done: bool = True) -> list[RecordedCall]:
        """Recorded calls of ``method`` (case-insensitive); answered ones unless ``done=False``."""
        name = method.lower()
        return [c for c in self.calls[since:] if c.method.lower() == name and (c.done or not done)]

    def last_call(self, method: str) -> RecordedCall:
        """The last answered call of ``method``; ``LookupError`` if there is none."""
        calls = self.calls_to(method)
        if not calls:
            raise LookupError(f"no {method} call recorded; calls: {self.summary()}")
        return calls[-1]

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[RecordedCall], bool] | None = None,
        *,
        timeout: float = 5.0,
        since: int = 0,
    ) -> RecordedCall:
        """Wait for an answered call of ``method`` (index >= ``since``) matching ``predicate``."""

        def check() -> RecordedCall | None:
            for call in self.calls_to(method, since=since):
                if predicate is None or predicate(call):
                    return call
            return None

        return await self._wait_until(check, timeout, f"a matching {method} call")

    async def wait_for_calls(
        self, method: str, count: int, *, timeout: float = 5.0, since: int = 0
    ) -> list[RecordedCall]:
        """Wait until at least ``count`` answered calls of ``method`` were recorded."""

        def check() -> list[RecordedCall] | None:
            calls = self.calls_to(method, since=since)
            return calls if len(calls) >= count else None

        return await self._wait_until(check, timeout, f"{count} {method} calls")

    @property
    def pending_long_polls(self) -> int:
        """Number of getUpdates requests currently waiting for updates."""
        return len(self._waiting_polls)

    async def wait_for_long_poll(self, *, timeout: float = 5.0) -> RecordedCall:
        """Wait until a getUpdates request is parked waiting for updates."""

        def check() -> RecordedCall | None:
            return self._waiting_polls[-1] if self._waiting_polls else None

        return await self._wait_until(check, timeout, "a pending getUpdates long-poll")

    async def wait_fetched(self, update: JSONDict, *, timeout: float = 5.0) -> None:
        """Wait until ``update`` was handed out by a getUpdates answer."""
        update_id = int(update["update_id"])
        await self._wait_until(
            lambda: True if update_id in self._fetched else None,
            timeout,
            f"update {update_id} to be fetched",
        )

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Injected updates not yet confirmed by a getUpdates offset."""
        return list(self._queue)

    # ------------------------------------------------------------------ messages and state

    @property
    def messages(self) -> list[StoredMessage]:
        """Every message the fake knows, in creation order."""
        return sorted(self._messages.values(), key=lambda m: m.message_id)

    def sent_messages(self, chat_id: int | None = None) -> list[StoredMessage]:
        """Messages the bot sent (not deleted), optionally in one chat, oldest first."""
        return [
            m
            for m in self.messages
            if m.from_bot and not m.deleted and (chat_id is None or m.chat_id == chat_id)
        ]

    def last_sent(self, chat_id: int | None = None) -> StoredMessage:
        """The bot's last message (optionally in one chat)."""
        sent = self.sent_messages(chat_id)
        if not sent:
            raise LookupError(f"the bot sent no message (chat {chat_id}); {self.summary()}")
        return sent[-1]

    def message(self, chat_id: int, message_id: int) -> StoredMessage:
        """A stored message; ``KeyError`` if unknown."""
        return self._messages[(chat_id, message_id)]

    def message_for(self, call: RecordedCall) -> StoredMessage:
        """The stored message a successful send/edit call returned."""
        result = call.result
        if not isinstance(result, dict) or "message_id" not in result:
            raise LookupError(f"{call.method} call did not return a message: {call.response}")
        return self.message(int(result["chat"]["id"]), int(result["message_id"]))

    def poll_message(self, poll_id: str) -> StoredMessage:
        """The message carrying the poll ``poll_id``."""
        return self._polls[poll_id]

    def bot_commands(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        """Commands registered with setMyCommands for ``scope``/``language_code``."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    def add_chat(self, chat: JSONDict) -> JSONDict:
        """Make ``chat`` known (done automatically for chats in injected updates)."""
        self._chats[int(chat["id"])] = chat
        return chat

    def _add_user(self, user: JSONDict) -> JSONDict:
        self._users[int(user["id"])] = user
        return user

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers for ``user_id`` in ``chat_id`` (default ``member``)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown status {status!r}; use one of {sorted(MEMBER_STATUSES)}")
        self._members[(chat_id, user_id)] = status

    def fail(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        times: int | None = 1,
        chat_id: int | str | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> FailureRule:
        """Make the next ``times`` calls of ``method`` (``"*"``: any) answer an error.

        ``times=None`` fails forever; ``chat_id`` limits the rule to one chat. A 429 carries
        ``parameters.retry_after`` (default 1). Note PTB maps 400 to BadRequest, 403 to
        Forbidden, 401 *and 404* to InvalidToken, 429 to RetryAfter.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        text = description or DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        rule = FailureRule(
            method=method.lower() if method != "*" else "*",
            status=status,
            description=text.format(retry_after=retry_after),
            retry_after=retry_after,
            migrate_to_chat_id=migrate_to_chat_id,
            chat_id=chat_id,
            remaining=times,
        )
        self.failures.append(rule)
        return rule

    def clear_failures(self) -> None:
        """Drop every injected failure."""
        self.failures.clear()

    # ------------------------------------------------------------------ update injection

    def inject(self, kind: str, payload: JSONDict) -> JSONDict:
        """Queue an update ``{"update_id": n, kind: payload}`` and wake the long-poll."""
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        self._learn(payload)
        self.updates.append(update)
        self._queue.append(update)
        self._notify()
        return update

    def _learn(self, payload: JSONDict) -> None:
        for key in ("from", "user"):
            if isinstance(payload.get(key), dict):
                self._add_user(payload[key])
        if isinstance(payload.get("chat"), dict):
            self._chats.setdefault(int(payload["chat"]["id"]), payload["chat"])
        if isinstance(payload.get("message"), dict):
            self._learn(payload["message"])

    def _who(self, user: JSONDict | None, chat: JSONDict | None) -> tuple[JSONDict, JSONDict]:
        user = user or self.default_user
        chat = chat or make_private_chat(user)
        return user, chat

    def make_message(
        self,
        text: str,
        *,
        user: JSONDict | None = None,
        chat: JSONDict | None = None,
        reply_to: StoredMessage | JSONDict | int | None = None,
        entities: Sequence[JSONDict] | None = None,
    ) -> StoredMessage:
        """Create and store a user's text message (without queueing an update)."""
        user, chat = self._who(user, chat)
        data: JSONDict = {
            "message_id": next(self._message_ids),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        found = list(entities) if entities is not None else command_entities(text)
        if found:
            data["entities"] = found
        if reply_to is not None:
            target = self._lookup(reply_to, int(chat["id"]))
            data["reply_to_message"] = _without_reply(target.data)
        stored = StoredMessage(int(chat["id"]), data["message_id"], data, from_bot=False)
        self._messages[(stored.chat_id, stored.message_id)] = stored
        return stored

    def send_document(
        self,
        data: bytes,
        file_name: str,
        *,
        caption: str | None = None,
        user: JSONDict | None = None,
        chat: JSONDict | None = None,
        mime_type: str = "application/octet-stream",
    ) -> StoredMessage:
        """A user sends a file (with an optional caption; a /command in it gets its entity)."""
        user, chat = self._who(user, chat)
        file_id, unique = self._new_file_id("document")
        self.user_files[file_id] = (file_name, data)
        message: JSONDict = {
            "message_id": next(self._message_ids),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "document": {
                "file_id": file_id,
                "file_unique_id": unique,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(data),
            },
        }
        if caption is not None:
            message["caption"] = caption
            found = command_entities(caption)
            if found:
                message["caption_entities"] = found
        stored = StoredMessage(int(chat["id"]), message["message_id"], message, from_bot=False)
        self._messages[(stored.chat_id, stored.message_id)] = stored
        self.inject("message", stored.data)
        return stored

    def send_text(
        self,
        text: str,
        *,
        user: JSONDict | None = None,
        chat: JSONDict | None = None,
        reply_to: StoredMessage | JSONDict | int | None = None,
        entities: Sequence[JSONDict] | None = None,
    ) -> JSONDict:
        """A user sends ``text`` (private chat by default); /commands get their entities."""
        stored = self.make_message(text, user=user, chat=chat, reply_to=reply_to, entities=entities)
        return self.inject("message", stored.data)

    def edit_user_message(
        self,
        message: StoredMessage | JSONDict | int,
        text: str,
        *,
        chat_id: int | None = None,
        entities: Sequence[JSONDict] | None = None,
    ) -> JSONDict:
        """The user edits their earlier message: an ``edited_message`` update."""
        stored = self._lookup(message, chat_id)
        if stored.from_bot:
            raise ValueError("users cannot edit the bot's messages")
        stored.versions.append(copy.deepcopy(stored.data))
        stored.data["text"] = text
        stored.data["edit_date"] = int(time.time())
        found = list(entities) if entities is not None else command_entities(text)
        stored.data.pop("entities", None)
        if found:
            stored.data["entities"] = found
        return self.inject("edited_message", stored.data)

    def press_button(
        self,
        message: StoredMessage | JSONDict | int,
        data: str | None = None,
        *,
        text: str | None = None,
        user: JSONDict | None = None,
        chat_id: int | None = None,
    ) -> JSONDict:
        """A user presses an inline button (by ``callback_data`` or label) on a stored message."""
        stored = self._lookup(message, chat_id)
        buttons = stored.buttons
        if text is not None:
            labelled = [b for b in buttons if b.get("text") == text and "callback_data" in b]
            if not labelled:
                raise ValueError(f"no callback button labelled {text!r}; buttons: {buttons}")
            data = labelled[0]["callback_data"]
        if data is None:
            raise ValueError("give the button's callback data or its text")
        if data not in stored.callback_data:
            raise ValueError(f"no button with callback_data {data!r}; buttons: {buttons}")
        user = user or self.default_user
        query_id = str(next(self._callback_ids))
        payload: JSONDict = {
            "id": query_id,
            "from": user,
            "message": copy.deepcopy(stored.data),
            "chat_instance": str(abs(hash((stored.chat_id, "instance")))),
            "data": data,
        }
        self.callback_answers.pop(query_id, None)
        self._open_callbacks.add(query_id)
        self.callback_rules.pressed(query_id)
        return self.inject("callback_query", payload)

    def answer_poll(
        self,
        poll: StoredMessage | JSONDict | str,
        option_ids: Sequence[int],
        *,
        user: JSONDict | None = None,
    ) -> JSONDict:
        """A user votes in a poll (``option_ids=[]`` retracts): a ``poll_answer`` update.

        The poll is a poll id, the stored poll message or its JSON. Polls the bot sent are
        checked (anonymous polls send no poll_answer, closed polls take no votes) and their
        counts updated; unknown poll ids get persistent ids ``"0"``, ``"1"``, ...
        """
        user = user or self.default_user
        if isinstance(poll, StoredMessage):
            poll_id = str((poll.poll or {})["id"])
        elif isinstance(poll, dict):
            poll_id = str(poll["poll"]["id"] if "poll" in poll else poll["id"])
        else:
            poll_id = str(poll)
        ids = [int(i) for i in option_ids]
        stored = self._polls.get(poll_id)
        if stored is None:
            persistent = [str(i) for i in ids]
        else:
            state = stored.data["poll"]
            if state["is_anonymous"]:
                raise ValueError("anonymous polls do not produce poll_answer updates")
            if state["is_closed"]:
                raise ValueError("the poll is closed")
            options = state["options"]
            if any(i < 0 or i >= len(options) for i in ids):
                raise ValueError(f"option ids {ids} out of range for {len(options)} options")
            if len(ids) > 1 and not state["allows_multiple_answers"]:
                raise ValueError("the poll allows a single answer")
            previous = self._votes.get((poll_id, int(user["id"])), [])
            if previous and not state.get("allows_revoting", True):
                raise ValueError("the poll does not allow changing the answer")
            for i in previous:
                options[i]["voter_count"] -= 1
            for i in ids:
                options[i]["voter_count"] += 1
            state["total_voter_count"] += (1 if ids else 0) - (1 if previous else 0)
            self._votes[(poll_id, int(user["id"]))] = ids
            persistent = [str(options[i]["persistent_id"]) for i in ids]
        payload = {
            "poll_id": poll_id,
            "user": user,
            "option_ids": ids,
            "option_persistent_ids": persistent,
        }
        return self.inject("poll_answer", payload)

    def _bot_member_update(
        self, chat: JSONDict, old: str, new: str, by: JSONDict | None
    ) -> JSONDict:
        payload: JSONDict = {
            "chat": chat,
            "from": by or self.default_user,
            "date": int(time.time()),
            "old_chat_member": _member_json(self.bot_user, old),
            "new_chat_member": _member_json(self.bot_user, new),
        }
        return self.inject("my_chat_member", payload)

    def kick_bot(
        self, chat: JSONDict, *, by: JSONDict | None = None, status: str = "kicked"
    ) -> JSONDict:
        """The bot is removed from ``chat`` (or blocked in a private chat): my_chat_member.

        Later sends to the chat answer 403 like Telegram does.
        """
        chat_id = int(chat["id"])
        old = self._members.get((chat_id, int(self.bot_user["id"])), "member")
        self._members[(chat_id, int(self.bot_user["id"]))] = status
        if chat["type"] == "private":
            self._gone[chat_id] = "Forbidden: bot was blocked by the user"
        else:
            self._gone[chat_id] = f"Forbidden: bot was kicked from the {chat['type']} chat"
        self.add_chat(chat)
        return self._bot_member_update(chat, old, status, by)

    def add_bot(
        self, chat: JSONDict, *, by: JSONDict | None = None, status: str = "member"
    ) -> JSONDict:
        """The bot is added to ``chat`` (or unblocked): my_chat_member."""
        chat_id = int(chat["id"])
        old = self._members.get((chat_id, int(self.bot_user["id"])), "left")
        self._members[(chat_id, int(self.bot_user["id"]))] = status
        self._gone.pop(chat_id, None)
        self.add_chat(chat)
        return self._bot_member_update(chat, old, status, by)

    def migrate_group(
        self, chat: JSONDict, new_chat_id: int | None = None, *, by: JSONDict | None = None
    ) -> tuple[JSONDict, JSONDict]:
        """A group becomes a supergroup: two message updates, like Telegram sends.

        The old group gets ``migrate_to_chat_id``, the new supergroup ``migrate_from_chat_id``;
        later sends to the old id answer 400 with ``parameters.migrate_to_chat_id``.
        """
        old_id = int(chat["id"])
        new_id = new_chat_id if new_chat_id is not None else int(f"-100{abs(old_id)}")
        new_chat = {**chat, "id": new_id, "type": "supergroup"}
        user = by or self.default_user
        self.add_chat(chat)
        self.add_chat(new_chat)
        self._migrated[old_id] = new_id
        for (member_chat, member_user), status in list(self._members.items()):
            if member_chat == old_id:
                self._members.setdefault((new_id, member_user), status)
        now = int(time.time())
        first = {
            "message_id": next(self._message_ids),
            "from": user,
            "chat": chat,
            "date": now,
            "migrate_to_chat_id": new_id,
        }
        second = {
            "message_id": next(self._message_ids),
            "from": user,
            "chat": new_chat,
            "date": now,
            "migrate_from_chat_id": old_id,
        }
        return self.inject("message", first), self.inject("message", second)

    def _lookup(
        self, ref: StoredMessage | JSONDict | int, chat_id: int | None = None
    ) -> StoredMessage:
        if isinstance(ref, StoredMessage):
            return ref
        if isinstance(ref, dict):
            return self.message(int(ref["chat"]["id"]), int(ref["message_id"]))
        matches = [
            m
            for m in self._messages.values()
            if m.message_id == ref and (chat_id is None or m.chat_id == chat_id)
        ]
        if not matches:
            raise KeyError(f"no stored message {ref} (chat {chat_id})")
        return matches[0]

    # ------------------------------------------------------------------ HTTP

    async def _handle_unknown_route(self, request: web.Request) -> web.Response:
        record = self._record(request.path, {}, {}, {}, request.method, "")
        body = {"ok": False, "error_code": 404, "description": "Not Found"}
        self.unknown_calls.append(record)
        self._finish(record, 404, body)
        return web.json_response(body, status=404)

    def _record(
        self,
        method: str,
        params: JSONDict,
        raw: JSONDict,
        files: dict[str, UploadedFile],
        http_method: str,
        token: str,
    ) -> RecordedCall:
        record = RecordedCall(
            index=len(self.calls),
            method=method,
            params=params,
            raw=raw,
            files=files,
            http_method=http_method,
            token=token,
            started=time.monotonic(),
        )
        self.calls.append(record)
        self._notify()
        return record

    def _finish(self, record: RecordedCall, status: int, body: JSONDict) -> None:
        record.status = status
        record.response = body
        record.finished = time.monotonic()
        self._notify()

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        try:
            params, raw, files = await _parse_request(request)
        except ApiError as exc:
            record = self._record(method, {}, {}, {}, request.method, token)
            self._finish(record, exc.status, exc.body())
            return web.json_response(exc.body(), status=exc.status)
        record = self._record(method, params, raw, files, request.method, token)
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            rule = next((r for r in self.failures if r.matches(method, params)), None)
            if rule is not None:
                raise rule.error()
            if method.lower() in SEND_METHODS:
                self._enforce_rate()
                self._enforce_limits(params)
            elif method.lower() in EDIT_METHODS:
                self._enforce_limits(params, edit=True)  # edits spend a group's budget too
            handler = self._methods.get(method.lower())
            if handler is None and method.lower() in _TRUE_METHODS:
                result: Any = True
            elif handler is None:
                self.unknown_calls.append(record)
                raise ApiError(404, "Not Found: method not found")
            else:
                result = handler(params, record)
                if asyncio.iscoroutine(result):
                    result = await result
            status, body = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, body = exc.status, exc.body()
        except asyncio.CancelledError:
            self._finish(record, 499, {"ok": False, "error_code": 499, "description": "gone"})
            raise
        self._finish(record, status, body)
        return web.json_response(body, status=status)

    def _enforce_rate(self) -> None:
        """429 when `sends_per_second` sends were accepted within the last second."""
        if self.sends_per_second is None:
            return
        now = time.monotonic()
        while self._recent_sends and now - self._recent_sends[0] >= 1.0:
            self._recent_sends.popleft()
        if len(self._recent_sends) >= self.sends_per_second:
            self.rate_limited += 1
            raise ApiError(429, DEFAULT_DESCRIPTIONS[429].format(retry_after=1), {"retry_after": 1})
        self._recent_sends.append(now)

    def _enforce_limits(self, params: JSONDict, *, edit: bool = False) -> None:
        """429 with `retry_after` past one of `limits`' windows (counted in `rate_limited`);
        an edit spends only its group's minute."""
        if self.limits is None:
            return
        chat = str(params.get("chat_id"))
        refusal = self.limits.check(chat, group=chat.startswith("-"), edit=edit)
        if refusal is not None:
            self.rate_limited += 1
            wait = max(1, math.ceil(refusal.retry_after))
            raise ApiError(429, DEFAULT_DESCRIPTIONS[429].format(retry_after=wait),
                           {"retry_after": wait})

    # ------------------------------------------------------------------ chat helpers

    def _chat(self, params: JSONDict, *, sending: bool = True) -> JSONDict:
        if "chat_id" not in params or params["chat_id"] in ("", None):
            raise _bad("chat_id is empty")
        raw_id = params["chat_id"]
        chat: JSONDict | None = None
        if isinstance(raw_id, str) and raw_id.startswith("@"):
            name = raw_id[1:].lower()
            chat = next(
                (c for c in self._chats.values() if str(c.get("username", "")).lower() == name),
                None,
            )
            if chat is None:
                raise _bad("chat not found")
        else:
            try:
                chat_id = int(raw_id)
            except (TypeError, ValueError):
                raise _bad("chat not found") from None
            chat = self._chats.get(chat_id)
            if chat is None:
                if self.strict_chats:
                    raise _bad("chat not found")
                chat = self._synth_chat(chat_id)
        chat_id = int(chat["id"])
        if chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if sending and chat_id in self._gone:
            raise ApiError(403, self._gone[chat_id])
        return chat

    def _synth_chat(self, chat_id: int) -> JSONDict:
        if chat_id > 0:
            user = self._users.get(chat_id) or make_user(chat_id, f"User{chat_id}")
            return self.add_chat(make_private_chat(user))
        supergroup = chat_id <= -1000000000000
        return self.add_chat(make_group(chat_id, f"Chat {chat_id}", supergroup=supergroup))

    def _reply_target(self, chat_id: int, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        target_id: Any = None
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            target_id = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            target_id = params["reply_to_message_id"]
        if target_id is None:
            return None
        stored = self._messages.get((chat_id, int(target_id)))
        if stored is None or stored.deleted:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return _without_reply(stored.data)

    def _new_message(
        self,
        chat: JSONDict,
        method: str,
        params: JSONDict,
        content: JSONDict,
        *,
        sent_text: str | None = None,
        upload: UploadedFile | None = None,
    ) -> JSONDict:
        markup = _check_markup(params.get("reply_markup"))
        data: JSONDict = {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
        }
        reply = self._reply_target(int(chat["id"]), params)
        if reply is not None:
            data["reply_to_message"] = reply
        data.update(content)
        if markup is not None and "inline_keyboard" in markup:
            data["reply_markup"] = markup
        stored = StoredMessage(
            chat_id=int(chat["id"]),
            message_id=data["message_id"],
            data=data,
            from_bot=True,
            method=method,
            sent_text=sent_text,
            parse_mode=params.get("parse_mode"),
            upload=upload,
        )
        self._messages[(stored.chat_id, stored.message_id)] = stored
        return copy.deepcopy(data)

    def _target(self, params: JSONDict) -> StoredMessage | None:
        """The message an edit call targets (``None`` for inline messages)."""
        if params.get("inline_message_id"):
            return None
        chat = self._chat(params)
        if params.get("message_id") in (None, ""):
            raise _bad("message identifier is not specified")
        stored = self._messages.get((int(chat["id"]), int(params["message_id"])))
        if stored is None or stored.deleted:
            raise _bad("message to edit not found")
        if not stored.from_bot:
            raise _bad("message can't be edited")
        return stored

    # ------------------------------------------------------------------ methods

    def _get_me(self, params: JSONDict, record: RecordedCall) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict, record: RecordedCall) -> list[JSONDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if offset > 0:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
        elif offset < 0:
            self._queue = self._queue[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # wakes an older long-poll, which answers [] (superseded)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        batch: list[JSONDict] = []
        try:
            while not self._closing and generation == self._poll_generation:
                batch = [u for u in self._queue if self._is_allowed(u)][:limit]
                remaining = deadline - loop.time()
                if batch or remaining <= 0:
                    break
                event = self._changed
                if record not in self._waiting_polls:
                    self._waiting_polls.append(record)
                    self._notify()
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            if record in self._waiting_polls:
                self._waiting_polls.remove(record)
        if self._closing or generation != self._poll_generation:
            return []
        self._fetched.update(u["update_id"] for u in batch)
        return batch

    def _is_allowed(self, update: JSONDict) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in OPT_IN_UPDATE_TYPES

    def _delete_webhook(self, params: JSONDict, record: RecordedCall) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    def _set_webhook(self, params: JSONDict, record: RecordedCall) -> bool:
        self.webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    def _get_webhook_info(self, params: JSONDict, record: RecordedCall) -> JSONDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def _set_my_commands(self, params: JSONDict, record: RecordedCall) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad('field "commands" must be an Array')
        if len(commands) > 100:
            raise _bad("too many commands")
        for command in commands:
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: JSONDict, record: RecordedCall) -> list[JSONDict]:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return list(self._commands.get(key, []))

    def _delete_my_commands(self, params: JSONDict, record: RecordedCall) -> bool:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands.pop(key, None)
        return True

    def _send_message(self, params: JSONDict, record: RecordedCall) -> JSONDict:
        chat = self._chat(params)
        raw_text = params.get("text")
        if raw_text in (None, ""):
            raise _bad("message text is empty")
        text, entities = _render(str(raw_text), params, "parse_mode", "entities")
        if not text.strip():
            raise _bad("message text is empty")
        if utf16_len(text) > TEXT_LIMIT:
            raise _bad("message is too long")
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._new_message(chat, "sendMessage", params, content, sent_text=str(raw_text))

    def _edit_message_text(self, params: JSONDict, record: RecordedCall) -> JSONDict | bool:
        raw_text = params.get("text")
        if raw_text in (None, ""):
            raise _bad("message text is empty")
        text, entities = _render(str(raw_text), params, "parse_mode", "entities")
        if utf16_len(text) > TEXT_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        markup = _check_markup(params.get("reply_markup"))
        stored = self._target(params)
        if stored is None:
            return True
        if "text" not in stored.data:
            raise _bad("there is no text in the message to edit")
        new: JSONDict = {"text": text}
        if entities:
            new["entities"] = entities
        if markup is not None:
            new["reply_markup"] = markup
        old = {k: stored.data[k] for k in ("text", "entities", "reply_markup") if k in stored.data}
        if old == new:
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        stored.versions.append(copy.deepcopy(stored.data))
        for key in ("text", "entities", "reply_markup"):
            stored.data.pop(key, None)
        stored.data.update(new)
        stored.data["edit_date"] = int(time.time())
        stored.sent_text = str(raw_text)
        stored.parse_mode = params.get("parse_mode")
        return copy.deepcopy(stored.data)

    def _edit_message_reply_markup(self, params: JSONDict, record: RecordedCall) -> JSONDict | bool:
        markup = _check_markup(params.get("reply_markup"))
        stored = self._target(params)
        if stored is None:
            return True
        if stored.data.get("reply_markup") == markup:
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        stored.versions.append(copy.deepcopy(stored.data))
        stored.data.pop("reply_markup", None)
        if markup is not None:
            stored.data["reply_markup"] = markup
        stored.data["edit_date"] = int(time.time())
        return copy.deepcopy(stored.data)

    def _delete_message(self, params: JSONDict, record: RecordedCall) -> bool:
        chat = self._chat(params)
        stored = self._messages.get((int(chat["id"]), int(params.get("message_id") or 0)))
        if stored is None or stored.deleted:
            raise _bad("message to delete not found")
        stored.deleted = True
        return True

    def _answer_callback_query(self, params: JSONDict, record: RecordedCall) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks or query_id in self.callback_answers:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        refused = self.callback_rules.refusal(query_id)
        if refused is not None:
            raise _bad(refused)
        self.callback_answers[query_id] = dict(params)
        return True

    def _send_poll(self, params: JSONDict, record: RecordedCall) -> JSONDict:
        chat = self._chat(params)
        question = str(params.get("question") or "")
        if params.get("question_parse_mode") == "HTML":
            question, _ = parse_html(question)
        if not question.strip():
            raise _bad("poll question must be non-empty")
        if utf16_len(question) > POLL_QUESTION_LIMIT:
            raise _bad(f"poll question length must not exceed {POLL_QUESTION_LIMIT}")
        raw_options = params.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            raise _bad("poll must have at least 2 option")
        if len(raw_options) > POLL_MAX_OPTIONS:
            raise _bad(f"poll can't have more than {POLL_MAX_OPTIONS} options")
        poll_id = str(next(self._poll_ids))
        options: list[JSONDict] = []
        for index, option in enumerate(raw_options):
            text = str(option.get("text", "") if isinstance(option, dict) else option)
            if isinstance(option, dict) and option.get("text_parse_mode") == "HTML":
                text, _ = parse_html(text)
            if not text.strip():
                raise _bad("poll options must be non-empty")
            if utf16_len(text) > POLL_OPTION_LIMIT:
                raise _bad(f"poll options length must not exceed {POLL_OPTION_LIMIT}")
            options.append(
                {"text": text, "voter_count": 0, "persistent_id": f"{poll_id[-6:]}{index}"}
            )
        kind = str(params.get("type") or "regular")
        if kind not in ("regular", "quiz"):
            raise _bad("poll type is invalid")
        poll: JSONDict = {
            "id": poll_id,
            "question": question,
            "options": options,
            "total_voter_count": 0,
            "is_closed": bool(params.get("is_closed", False)),
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": kind,
            "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
            "allows_revoting": bool(params.get("allows_revoting", kind != "quiz")),
            "members_only": bool(params.get("members_only", False)),
        }
        if kind == "quiz":
            correct = params.get("correct_option_ids")
            if correct is None and params.get("correct_option_id") is not None:
                correct = [params["correct_option_id"]]
            if not isinstance(correct, list) or not correct:
                raise _bad("wrong correct option ID")
            if any(not isinstance(i, int) or not 0 <= i < len(options) for i in correct):
                raise _bad("wrong correct option ID")
            poll["correct_option_ids"] = correct
        if params.get("explanation"):
            explanation, entities = _render(
                str(params["explanation"]), params, "explanation_parse_mode", "explanation_entities"
            )
            if utf16_len(explanation) > 200:
                raise _bad("explanation is too long")
            poll["explanation"] = explanation
            if entities:
                poll["explanation_entities"] = entities
        for key in ("open_period", "close_date", "description"):
            if params.get(key) is not None:
                poll[key] = params[key]
        result = self._new_message(chat, "sendPoll", params, {"poll": poll})
        self._polls[poll_id] = self.message(int(chat["id"]), int(result["message_id"]))
        return result

    def _stop_poll(self, params: JSONDict, record: RecordedCall) -> JSONDict:
        chat = self._chat(params)
        stored = self._messages.get((int(chat["id"]), int(params.get("message_id") or 0)))
        if stored is None or stored.poll is None:
            raise _bad("message with poll to stop not found")
        poll = stored.data["poll"]
        if poll["is_closed"]:
            raise _bad("poll has already been closed")
        stored.versions.append(copy.deepcopy(stored.data))
        poll["is_closed"] = True
        markup = _check_markup(params.get("reply_markup"))
        stored.data.pop("reply_markup", None)
        if markup is not None:
            stored.data["reply_markup"] = markup
        return copy.deepcopy(poll)

    def _media(self, params: JSONDict, record: RecordedCall, kind: str) -> tuple[Any, Any]:
        upload = record.files.get(kind)
        value = params.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = record.files.get(value.removeprefix("attach://"))
        if upload is None and not value:
            raise _bad(f"there is no {kind} in the request")
        return upload, value

    def _caption(self, params: JSONDict) -> JSONDict:
        if not params.get("caption"):
            return {}
        caption, entities = _render(
            str(params["caption"]), params, "parse_mode", "caption_entities"
        )
        if utf16_len(caption) > CAPTION_LIMIT:
            raise _bad("message caption is too long")
        content: JSONDict = {"caption": caption}
        if entities:
            content["caption_entities"] = entities
        return content

    def _new_file_id(self, prefix: str) -> tuple[str, str]:
        number = next(self._file_ids)
        return f"{prefix}-{number}", f"U{prefix[:1]}{number}"

    def _send_photo(self, params: JSONDict, record: RecordedCall) -> JSONDict:
        chat = self._chat(params)
        upload, _ = self._media(params, record, "photo")
        file_id, unique = self._new_file_id("photo")
        size = len(upload.data) if upload else 0
        photo = [
            {
                "file_id": file_id,
                "file_unique_id": unique,
                "width": 800,
                "height": 600,
                "file_size": size,
            }
        ]
        content = {"photo": photo, **self._caption(params)}
        return self._new_message(
            chat, "sendPhoto", params, content, sent_text=params.get("caption"), upload=upload
        )

    def _send_document(self, params: JSONDict, record: RecordedCall) -> JSONDict:
        chat = self._chat(params)
        upload, _ = self._media(params, record, "document")
        file_id, unique = self._new_file_id("document")
        document: JSONDict = {"file_id": file_id, "file_unique_id": unique}
        if upload is not None:
            document.update(
                file_name=upload.filename or "file",
                mime_type=upload.content_type,
                file_size=len(upload.data),
            )
        content = {"document": document, **self._caption(params)}
        return self._new_message(
            chat, "sendDocument", params, content, sent_text=params.get("caption"), upload=upload
        )

    def _member_status(self, chat_id: int, user_id: int) -> str:
        return self._members.get((chat_id, user_id), "member")

    def _user(self, user_id: int) -> JSONDict:
        if user_id == int(self.bot_user["id"]):
            return self.bot_user
        return self._users.get(user_id) or make_user(user_id, f"User{user_id}")

    def _get_file(self, params: JSONDict, record: RecordedCall) -> JSONDict:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.user_files:
            raise _bad("invalid file_id")
        name, data = self.user_files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_size": len(data),
            "file_path": f"documents/{file_id}/{name}",
        }

    async def _handle_file(self, request: web.Request) -> web.Response:
        """The file download URL getFile's file_path points to."""
        record = self._record("file", {"path": request.match_info["path"]}, {}, {}, "GET",
                              request.match_info["token"])
        parts = request.match_info["path"].split("/")
        found = self.user_files.get(parts[1]) if len(parts) >= 2 else None
        if request.match_info["token"] != self.token or found is None:
            self._finish(record, 404, {"ok": False})
            return web.Response(status=404)
        self._finish(record, 200, {"ok": True})
        return web.Response(body=found[1])

    def _get_chat_member(self, params: JSONDict, record: RecordedCall) -> JSONDict:
        chat = self._chat(params, sending=False)
        if params.get("user_id") in (None, ""):
            raise _bad("user not found")
        user_id = int(params["user_id"])
        return _member_json(self._user(user_id), self._member_status(int(chat["id"]), user_id))

    def _get_chat_administrators(self, params: JSONDict, record: RecordedCall) -> list[JSONDict]:
        chat = self._chat(params, sending=False)
        chat_id = int(chat["id"])
        return [
            _member_json(self._user(user_id), status)
            for (member_chat, user_id), status in self._members.items()
            if member_chat == chat_id and status in ("creator", "administrator")
        ]

    def _get_chat(self, params: JSONDict, record: RecordedCall) -> JSONDict:
        chat = self._chat(params, sending=False)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _send_chat_action(self, params: JSONDict, record: RecordedCall) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True


# ---------------------------------------------------------------------------- module helpers


def _without_reply(data: JSONDict) -> JSONDict:
    """A message as embedded in ``reply_to_message`` (Telegram does not nest further)."""
    return {k: copy.deepcopy(v) for k, v in data.items() if k != "reply_to_message"}


def _render(
    raw: str, params: JSONDict, mode_key: str, entities_key: str
) -> tuple[str, list[JSONDict]]:
    """Plain text and entities of ``raw`` as Telegram renders it for the given parse mode."""
    explicit = params.get(entities_key)
    if isinstance(explicit, list):
        return raw, explicit
    mode = str(params.get(mode_key) or "")
    if mode.upper() == "HTML":
        return parse_html(raw)
    return raw, []


def _check_markup(markup: Any) -> JSONDict | None:
    """Validate a reply_markup like Telegram (inline keyboards strictly)."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or any(not isinstance(row, list) for row in rows):
        raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise _bad("text buttons are unallowed in the inline keyboard")
            kinds = [k for k in button if k != "text"]
            if len(kinds) != 1:
                raise _bad(
                    "can't parse inline keyboard button: exactly one optional field must be used"
                )
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if not 1 <= size <= CALLBACK_DATA_LIMIT:
                    raise _bad("BUTTON_DATA_INVALID")
            if "url" in button and not re.match(r"(https?|tg)://", str(button["url"])):
                raise _bad("BUTTON_URL_INVALID")
    return markup


def decode_param(name: str, value: Any) -> Any:
    """Decode one form/JSON parameter: PTB JSON-encodes every non-string value."""
    if not isinstance(value, str) or name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _parse_request(
    request: web.Request,
) -> tuple[JSONDict, JSONDict, dict[str, UploadedFile]]:
    raw: JSONDict = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        content_type = request.content_type
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        field=key,
                        filename=value.filename,
                        content_type=value.content_type,
                        data=value.file.read(),
                    )
                else:
                    raw[key] = value
        else:
            text = await request.text()
            if text.strip():
                try:
                    body = json.loads(text)
                except ValueError:
                    raise _bad("can't parse JSON request body") from None
                if not isinstance(body, dict):
                    raise _bad("request body must be a JSON object")
                raw.update(body)
    params = {key: decode_param(key, value) for key, value in raw.items()}
    return params, raw, files


def _member_json(user: JSONDict, status: str) -> JSONDict:
    """A ``ChatMember`` of the given status with every field PTB requires."""
    member: JSONDict = {"user": user, "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
            can_manage_topics=False,
        )
    elif status == "restricted":
        member.update(
            {
                flag: False
                for flag in (
                    "can_change_info",
                    "can_invite_users",
                    "can_pin_messages",
                    "can_send_messages",
                    "can_send_polls",
                    "can_send_other_messages",
                    "can_add_web_page_previews",
                    "can_manage_topics",
                    "can_send_audios",
                    "can_send_documents",
                    "can_send_photos",
                    "can_send_videos",
                    "can_send_video_notes",
                    "can_send_voice_notes",
                    "can_edit_tag",
                )
            },
            is_member=True,
            until_date=0,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def update_kinds(updates: Iterable[JSONDict]) -> list[str]:
    """The kind (``message``, ``callback_query``...) of each update, for assertions."""
    return [next(k for k in update if k != "update_id") for update in updates]
