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
