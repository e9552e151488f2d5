"""Store contract (memory, SQLite, PostgreSQL): named leases."""

from __future__ import annotations

from datetime import timedelta

from bot.ports import InspectableStore
from tests.storage.contract.support import T0

TTL = timedelta(seconds=60)


async def test_a_lease_has_one_holder_until_it_expires_or_is_released(
    store: InspectableStore,
) -> None:
    taken = await store.take_lease("poller:1", "host-a pid 1", T0, TTL)
    assert (taken.name, taken.holder, taken.expires_at) == ("poller:1", "host-a pid 1", T0 + TTL)
    # Another holder sees the current one and does not take it.
    refused = await store.take_lease("poller:1", "host-b pid 2", T0 + timedelta(seconds=30), TTL)
    assert (refused.holder, refused.expires_at) == ("host-a pid 1", T0 + TTL)
    # The holder renews it; other names are independent.
    renewed = await store.take_lease("poller:1", "host-a pid 1", T0 + timedelta(seconds=50), TTL)
    assert renewed.expires_at == T0 + timedelta(seconds=110)
    assert (await store.take_lease("poller:2", "host-b pid 2", T0, TTL)).holder == "host-b pid 2"
    # Expired, it goes to whoever asks next.
    later = T0 + timedelta(seconds=110)
    assert (await store.take_lease("poller:1", "host-b pid 2", later, TTL)).holder == "host-b pid 2"
    # Only the holder's release frees it.
    await store.release_lease("poller:1", "host-a pid 1")
    assert (await store.take_lease("poller:1", "host-c", later, TTL)).holder == "host-b pid 2"
    await store.release_lease("poller:1", "host-b pid 2")
    assert (await store.take_lease("poller:1", "host-c", later, TTL)).holder == "host-c"


async def test_live_leases_are_counted_by_prefix(store: InspectableStore) -> None:
    await store.take_lease("sender:telegram:a", "a", T0, TTL)
    await store.take_lease("sender:telegram:b_%", "b_%", T0 + timedelta(seconds=30), TTL)
    await store.take_lease("sender:discord:a", "a", T0, TTL)
    await store.take_lease("sender:telegram_x", "c", T0, TTL)  # another prefix
    assert await store.count_leases("sender:telegram:", T0 + timedelta(seconds=31)) == 2
    # One expires; a released one stops counting at once.
    assert await store.count_leases("sender:telegram:", T0 + timedelta(seconds=61)) == 1
    await store.release_lease("sender:telegram:b_%", "b_%")
    assert await store.count_leases("sender:telegram:", T0 + timedelta(seconds=31)) == 1
    assert await store.count_leases("sender:%", T0) == 0  # no wildcards
