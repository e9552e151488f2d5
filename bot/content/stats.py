"""Counts of the bank by deck, type, tag and difficulty."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from bot.content.schema import Deck


def deck_stats(decks: Iterable[Deck], rubric_warnings: int = 0) -> dict[str, Any]:
    """The `content stats --json` document; `rubric_warnings` comes from `content check`."""
    by_deck: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    by_tag: Counter[str] = Counter()
    by_difficulty: Counter[str] = Counter()
    total = 0
    for deck in decks:
        for item in deck.items:
            total += 1
            by_deck[deck.id] += 1
            by_type[item.type.value] += 1
            by_difficulty[item.difficulty.value] += 1
            by_tag.update(item.tags)
    return {
        "total": total,
        "by_deck": dict(sorted(by_deck.items())),
        "by_type": dict(sorted(by_type.items())),
        "by_tag": dict(sorted(by_tag.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_difficulty": dict(sorted(by_difficulty.items())),
        "rubric_warnings": rubric_warnings,
    }


def format_stats(stats: dict[str, Any]) -> str:
    """Plain-text rendering for people."""
    out = [f"total: {stats['total']} items", f"rubric warnings: {stats['rubric_warnings']}"]
    for key in ("by_deck", "by_type", "by_difficulty", "by_tag"):
        out.append(f"{key.removeprefix('by_')}:")
        out.extend(f"  {name:<32} {count:>4}" for name, count in stats[key].items())
    return "\n".join(out)
