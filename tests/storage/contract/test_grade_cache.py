"""Store contract (memory, SQLite, PostgreSQL): the grade cache."""

from __future__ import annotations

from datetime import timedelta

from bot.ports import InspectableStore
from tests.storage.contract.support import T0


async def test_a_cached_grade_is_found_by_item_answer_and_model(store: InspectableStore) -> None:
    assert await store.cached_grade("d/q01", "abc", "llama3") is None
    await store.cache_grade("d/q01", "abc", "llama3", '{"verdict": "correct"}', T0)
    assert await store.cached_grade("d/q01", "abc", "llama3") == '{"verdict": "correct"}'
    # Each part of the key matters.
    assert await store.cached_grade("d/q02", "abc", "llama3") is None
    assert await store.cached_grade("d/q01", "abd", "llama3") is None
    assert await store.cached_grade("d/q01", "abc", "qwen") is None


async def test_caching_the_same_key_again_replaces_the_payload(store: InspectableStore) -> None:
    await store.cache_grade("d/q01", "abc", "llama3", "first", T0)
    await store.cache_grade("d/q01", "abc", "llama3", "second", T0 + timedelta(seconds=5))
    assert await store.cached_grade("d/q01", "abc", "llama3") == "second"
