"""Telegram's send budget, read by the spec (the outbox sender) and the application."""

from __future__ import annotations

from bot.ports import RateBudget

# Telegram allows about 30 messages/s overall and 20 per minute in one group. Paced
# evenly (the outbox sender owns the limit). A slot may be taken up to one interval late
# (`Pacer`), so any second spans at most 1 + 1/28.5 s of slots: 30 sends, with about
# 17 ms to spare for the request's own jitter.
RATE = RateBudget(overall=(28.5, 1.0), per_chat=(20, 60.0))
