"""Whole numbers people type or buttons carry: ASCII digits only, and bounded.

`str.isdigit` accepts `²`, which `int` then refuses; `int` accepts `٣` and `1_000`; a few
thousand digits make `int` raise; a 20-digit id overflows SQLite's INTEGER. Every parser
of user text or button data reads numbers through `parse_int`.
"""

from __future__ import annotations

import re

#: The largest id the stores can hold (SQLite INTEGER, PostgreSQL BIGINT).
MAX_ID = 2**63 - 1
_SIGNED = re.compile(r"([+-]?)([0-9]+)")
_DIGITS = len(str(MAX_ID))


def is_number(text: str) -> bool:
    """ASCII digits only (at least one)."""
    return text.isascii() and text.isdecimal()


def parse_int(
    text: str, *, low: int = 0, high: int = MAX_ID, signed: bool = False
) -> int | None:
    """`text` as a whole number in `low..high`, else None (never an exception).

    Only ASCII digits, with a leading `+`/`-` when `signed`; surrounding spaces are the
    caller's business, so `" 7"` is None.
    """
    match = _SIGNED.fullmatch(text)
    if match is None or (match[1] and not signed):
        return None
    digits = match[2].lstrip("0") or "0"
    if len(digits) > _DIGITS:  # far out of range: no int() on thousands of digits
        return None
    value = -int(digits) if match[1] == "-" else int(digits)
    return value if low <= value <= high else None


def parse_id(text: str) -> int | None:
    """A positive database id (1..MAX_ID) from button data, else None."""
    return parse_int(text, low=1)
