from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.selection import next_item, shuffled

POOL = [f"d/q{n:02d}" for n in range(10)]


def run(pool: list[str], seed: str, steps: int) -> list[tuple[str, int]]:
    used: set[str] = set()
    cycle, last = 0, None
    picks = []
    for _ in range(steps):
        pick = next_item(pool, used, seed, cycle, last)
        assert pick is not None
        if pick.cycle != cycle:
            used, cycle = set(), pick.cycle
        used.add(pick.item_id)
        last = pick.item_id
        picks.append((pick.item_id, pick.cycle))
    return picks


def test_each_item_once_per_cycle_then_new_cycle() -> None:
    picks = run(POOL, "telegram:-100", 25)
    first = [item for item, cycle in picks if cycle == 0]
    second = [item for item, cycle in picks if cycle == 1]
    assert sorted(first) == sorted(POOL)
    assert sorted(second) == sorted(POOL)
    assert picks[10][0] != picks[9][0]  # no repeat across the cycle boundary
    assert first != second  # a new cycle has a new order


def test_order_is_per_channel_and_deterministic() -> None:
    assert run(POOL, "chan-a", 10) == run(POOL, "chan-a", 10)
    assert run(POOL, "chan-a", 10) != run(POOL, "chan-b", 10)


def test_skips_items_that_left_the_pool() -> None:
    order = shuffled(POOL, "s", 0)
    used = {order[0]}
    smaller = [item for item in POOL if item != order[1]]
    pick = next_item(smaller, used, "s", 0)
    assert pick is not None and pick.item_id == order[2]


def test_empty_pool() -> None:
    assert next_item([], set(), "s", 0) is None


def test_single_item_pool_repeats() -> None:
    pick = next_item(["a/b"], {"a/b"}, "s", 0, "a/b")
    assert pick is not None and (pick.item_id, pick.cycle) == ("a/b", 1)


@given(
    pool=st.sets(st.text("abc", min_size=1, max_size=4), min_size=1, max_size=12),
    removed=st.sets(st.text("abc", min_size=1, max_size=4)),
    seed=st.text(max_size=8),
)
def test_order_stable_when_items_leave(pool: set[str], removed: set[str], seed: str) -> None:
    full = shuffled(pool, seed, 0)
    kept = shuffled(pool - removed, seed, 0)
    assert kept == [item for item in full if item not in removed]
