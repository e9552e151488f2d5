"""Which question a channel gets next: its own stable shuffled order of its pool.

Each item's place in the order is a hash of (channel seed, cycle, item id), so the order
is deterministic per channel and stays stable when items join or leave the pool.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pick:
    item_id: str
    cycle: int


def order_key(seed: str, cycle: int, item_id: str) -> str:
    return hashlib.sha256(f"{seed}\x1f{cycle}\x1f{item_id}".encode()).hexdigest()


def shuffled(pool: Iterable[str], seed: str, cycle: int) -> list[str]:
    """The pool in this channel's order for `cycle`."""
    return sorted(set(pool), key=lambda item_id: order_key(seed, cycle, item_id))


def next_item(
    pool: Collection[str],
    used: Collection[str],
    seed: str,
    cycle: int,
    last_item: str | None = None,
) -> Pick | None:
    """The next unused pool item; a new cycle starts once every pool item was used.

    Used items that left the pool are ignored. At a cycle boundary the item posted last is
    not repeated straight away when another one is available.
    """
    if not pool:
        return None
    used_set = set(used)
    for item_id in shuffled(pool, seed, cycle):
        if item_id not in used_set:
            return Pick(item_id, cycle)
    order = shuffled(pool, seed, cycle + 1)
    for item_id in order:
        if item_id != last_item:
            return Pick(item_id, cycle + 1)
    return Pick(order[0], cycle + 1)
