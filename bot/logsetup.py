"""Logging configuration, with secrets scrubbed from every record."""

from __future__ import annotations

import logging
from collections.abc import Iterable


class RedactSecrets(logging.Filter):
    """Replace any configured secret that reaches a log line (a URL with a token, say)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = self._redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # A traceback may quote a secret (PTB's InvalidToken names the token).
            record.exc_text = self._redact(_FORMATTER.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        return True

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


_FORMATTER = logging.Formatter()


class DropVoiceWarnings(logging.Filter):
    """discord.py warns at every start that voice needs PyNaCl; prepbot has no voice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.name == "discord.client" and "voice will NOT be supported" in record.getMessage()
        )


#: Libraries every mode uses; each platform's spec names its own.
NOISY_LOGGERS = ("httpx", "apscheduler", "aiosqlite")


def setup_logging(level: str, secrets: Iterable[str] = (), noisy: Iterable[str] = ()) -> None:
    """One handler on stderr; third-party chatter (NOISY_LOGGERS and `noisy`) kept at
    WARNING unless debugging."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    handler.addFilter(DropVoiceWarnings())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if level != "DEBUG":
        for name in (*NOISY_LOGGERS, *noisy):
            logging.getLogger(name).setLevel(logging.WARNING)
