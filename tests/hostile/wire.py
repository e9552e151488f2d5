"""Seeded random input for the wire-level fuzz tests: what people type and paste.

Plain `random.Random(seed)`, not hypothesis: a run of thousands of updates through a real
platform library is one example, reproducible from its seed (`PREPBOT_FUZZ_SEED`).
"""

from __future__ import annotations

import os
import random

from tests.hostile.strategies import NASTY

#: How many updates / interactions each wire-level fuzz run sends.
FUZZ_UPDATES = int(os.environ.get("PREPBOT_FUZZ_UPDATES", "2000"))
FUZZ_SEED = int(os.environ.get("PREPBOT_FUZZ_SEED", "19"))

WORDS = (
    "alpha", "beta", "gamma", "delta", "dropout", "relu", "weights", "bias", "A", "b", "C)",
    "2", "3.", "regularization", "cnn", "easy", "hard", "good", "again", "UTC", "Europe/Paris",
    "09:30", "mon-fri", "daily", "off", "pause", "show", "reveal=12", "dl/q01", "cards/relu",
)


def fuzz_text(rng: random.Random, limit: int) -> str:
    """A line of words, nasty pieces and random code points; now and then a very long one."""
    roll = rng.random()
    if roll < 0.05:
        piece = rng.choice(NASTY + WORDS)
        return (piece * (limit // max(1, len(piece)) + 1))[: rng.randint(limit // 2, limit)]
    parts: list[str] = []
    for _ in range(rng.randint(1, 8)):
        kind = rng.random()
        if kind < 0.45:
            parts.append(rng.choice(WORDS))
        elif kind < 0.8:
            parts.append(rng.choice(NASTY))
        else:
            parts.append("".join(chr(rng.choice(_CODE_POINTS)) for _ in range(rng.randint(1, 6))))
    text = " ".join(parts) if rng.random() < 0.7 else "".join(parts)
    return text[:limit] or "x"


def fuzz_args(rng: random.Random, limit: int) -> str:
    """Arguments for a command: usually a few short ones, sometimes hostile text."""
    if rng.random() < 0.3:
        return ""
    return fuzz_text(rng, limit)


# Code points people paste: Latin, Arabic and Devanagari digits, RTL, emoji, CJK, marks,
# zero-width characters; no surrogates (they cannot travel as UTF-8).
_CODE_POINTS = [
    *range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x300, 0x370), *range(0x600, 0x700),
    *range(0x900, 0x980), *range(0x2000, 0x2070), *range(0x3040, 0x30FF), *range(0x1F300, 0x1F650),
    0x200B, 0x200C, 0x200D, 0x202E, 0x2066, 0x2069, 0xFEFF, 0x00B2, 0x0663, 0xFF11, 0x1D7D9,
]
