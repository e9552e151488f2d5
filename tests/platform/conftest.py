"""Fixtures for the platform end-to-end tests (fake Telegram Bot API server)."""

from __future__ import annotations

from tests.fakes.telegram_fixtures import fake_telegram

__all__ = ["fake_telegram"]
