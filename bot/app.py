"""Composition root: settings -> bank -> store -> services -> adapters, on one event loop."""

from __future__ import annotations

import logging
import sys

from bot.config import Settings
from bot.content.bank import load_bank
from bot.content.stats import deck_stats, format_stats

log = logging.getLogger(__name__)


def run(settings: Settings) -> int:
    """Run until stopped. Until the console mode lands, no tokens means a bank summary."""
    bank = load_bank(settings.content_dir)
    if not settings.has_platform:
        print(format_stats(deck_stats(bank.decks.values())))
        print("No DISCORD_BOT_TOKEN or TELEGRAM_BOT_TOKEN configured.", file=sys.stderr)
        return 0
    log.error("platform adapters are not built yet")
    return 1
