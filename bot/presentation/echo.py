"""User text quoted back in a reply: clipped, and unable to mention anyone.

The one place that bounds echoed text, so a 20,000-character argument in an error reply
still leaves the reply inside every platform's limit (Telegram 4,096, Discord 2,000).
"""

from __future__ import annotations

from bot.render import ZWSP

#: Characters of user text a reply quotes at most (an ellipsis marks the cut).
ECHO_LIMIT = 200
ELLIPSIS = "…"


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` cut to `limit` characters (ending in an ellipsis when cut), every `@` followed
    by a zero-width space so `@everyone`, `@name` and `<@id>` stay plain text."""
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + ELLIPSIS
    return text.replace("@", "@" + ZWSP)
