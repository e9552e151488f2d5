"""Telegram's send budget, read by the spec (the outbox sender) and the application."""

from __future__ import annotations

from bot.ports import RateBudget

# Telegram allows about 30 messages/s overall and 20 per minute in one group. Paced
# evenly (the outbox sender owns the limit) at 28 a second, with one more a second kept
# for a reply a user waits for (`Pacer`'s spare send: it goes at once, not at the queue's
# next slot). The pacer holds any second to 29 sends, one under Telegram's 30 for the
# requests' jitter on the way.
RATE = RateBudget(overall=(28, 1.0), per_chat=(20, 60.0))
#: Sends a second replies may take at once, on top of RATE.
REPLY_SPARE = 1
