"""The Telegram adapter: a python-telegram-bot Application built from Settings, run in the
core's event loop (initialize/start ... stop/shutdown, like `async with application:`)."""

from __future__ import annotations

import importlib.util
import logging
import sys
from urllib.parse import urlsplit

from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.adapters.telegram import render
from bot.adapters.telegram.budget import RATE, REPLY_SPARE
from bot.adapters.telegram.callbacks import ItemKeys
from bot.adapters.telegram.context import AdapterContext
from bot.adapters.telegram.handlers import ALLOWED_UPDATES, TelegramApp, register
from bot.adapters.telegram.limits import PacedLimiter, TolerantBot
from bot.adapters.telegram.messenger import TelegramMessenger
from bot.adapters.telegram.poller import PollerLease, PollErrors
from bot.adapters.telegram.processing import ChatOrderedProcessor
from bot.config import Settings
from bot.content.bank import Bank
from bot.errors import ConfigError
from bot.pacing import Pacer
from bot.ports import Messenger
from bot.services import Services

log = logging.getLogger(__name__)

#: Concurrent HTTP connections for sends (python-telegram-bot's default for a built bot).
CONNECTIONS = 256


def file_url(base_url: str) -> str:
    """`https://api.telegram.org/bot` -> `https://api.telegram.org/file/bot` (also local)."""
    root, _, _ = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/bot"


def skip_sniffio_lookups() -> None:
    """httpcore imports sniffio on every request to tell asyncio from trio; when it is not
    installed, each failed import scans the whole import path (about 0.3 ms, several
    times a request). Marked absent, the import fails at once and httpcore assumes asyncio."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def build_application(settings: Settings, pacer: Pacer | None = None) -> TelegramApp:
    """The PTB Application: token, base URL, chat-ordered concurrency, and `pacer` (the
    one owner of the send budget, shared with the outbox sender; see `limits`)."""
    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    skip_sniffio_lookups()
    bot = TolerantBot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_base_url,
        base_file_url=file_url(settings.telegram_base_url),
        request=HTTPXRequest(connection_pool_size=CONNECTIONS),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=PacedLimiter(pacer or Pacer(*RATE.overall, spare=REPLY_SPARE)),
    )
    return (
        Application.builder()
        .bot(bot)
        .concurrent_updates(ChatOrderedProcessor())
        .job_queue(None)  # the core owns scheduling
        .build()
    )


class TelegramAdapter:
    """Telegram for prepbot: handlers in, `messenger` out."""

    def __init__(
        self, settings: Settings, services: Services, bank: Bank, *, poll_timeout: int = 30
    ) -> None:
        self.settings = settings
        self.poll_timeout = poll_timeout
        # One pacer for every send to a chat: the messenger hands it to the outbox sender.
        self.pacer = Pacer(*RATE.overall, spare=REPLY_SPARE)
        self.application = build_application(settings, self.pacer)
        self.context = AdapterContext(services, bank, ItemKeys(bank.items))
        self.telegram = TelegramMessenger(self.application.bot, self.context, self.pacer)
        # Typed as the port: the composition root hands it to the outbox sender.
        self.messenger: Messenger = self.telegram
        self.interviews = register(self.application, self.context, self.telegram)
        self.poller: PollerLease | None = None

    @property
    def webhook(self) -> bool:
        return bool(self.settings.telegram_webhook_url)

    async def start(self) -> None:
        """Connect (getMe), register the commands, then poll or serve the webhook."""
        try:
            await self._start()
        except BaseException:
            await self.stop()  # close the HTTP sessions of a half-started application
            raise

    async def _start(self) -> None:
        app = self.application
        await app.initialize()
        self.context.bot_username = app.bot.username
        try:
            await app.bot.set_my_commands([BotCommand(c, d) for c, d in render.commands()])
        except TelegramError as exc:  # the menu is a convenience; the bot works without it
            log.warning("setMyCommands failed: %s", exc)
        updater = app.updater
        if updater is None:
            raise RuntimeError("the Telegram application has no updater")
        allowed = list(ALLOWED_UPDATES)
        url = self.settings.telegram_webhook_url
        if url:
            secret = self.settings.telegram_webhook_secret
            await updater.start_webhook(
                listen=self.settings.telegram_webhook_listen,
                port=self.settings.telegram_webhook_port,
                url_path=urlsplit(url).path.lstrip("/"),
                webhook_url=url,
                secret_token=secret.get_secret_value() if secret else None,
                allowed_updates=allowed,
            )
        else:
            # One poller per bot: another process on this database refuses to start.
            self.poller = PollerLease(self.context.services.leases, app.bot.id)
            await self.poller.acquire()
            await updater.start_polling(
                timeout=self.poll_timeout, allowed_updates=allowed, error_callback=PollErrors()
            )
        await app.start()
        log.info(
            "telegram: @%s is up (%s)", app.bot.username, "webhook" if url else "long polling"
        )
        await self.interviews.resend_resumed()

    async def stop(self) -> None:
        """Stop receiving, finish the updates in hand, close the HTTP sessions."""
        app = self.application
        self.interviews.close()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if self.poller is not None:
            await self.poller.release()
        if app.running:
            await app.stop()
        await app.shutdown()
