from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import InvalidInputError, NotFoundError
from bot.services import Services
from tests.factories import CHAT, FakeClock


async def test_subscribe_and_show(services: Services, clock: FakeClock) -> None:
    view = await services.schedules.subscribe(
        CHAT, "10:30", "Europe/Berlin", "mon-fri", "dl, cnn", "24h", "on"
    )
    assert (view.time, view.timezone, view.weekdays) == ("10:30", "Europe/Berlin", "mon-fri")
    assert view.topics == ("dl", "cnn")
    assert (view.reveal_delay_hours, view.thread, view.paused) == (24, True, False)
    # Monday 09:00 UTC is 10:00 in Berlin: the post is due today at 09:30 UTC.
    assert view.next_post_utc == datetime(2024, 3, 4, 9, 30, tzinfo=UTC)
    assert view.next_post_local is not None and view.next_post_local.hour == 10
    assert view.pool_size == 9
    assert await services.schedules.show(CHAT) == view


async def test_subscribe_defaults(services: Services) -> None:
    view = await services.schedules.subscribe(CHAT, "08:00")
    assert (view.timezone, view.weekdays, view.topics) == ("UTC", "daily", ())
    assert view.pool_size == 15
    assert view.next_post_utc == datetime(2024, 3, 5, 8, 0, tzinfo=UTC)


async def test_update_changes_only_given_fields(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "10:30", "Europe/Berlin", "mon-fri", "dl")
    clock.advance(hours=1)
    view = await services.schedules.update(CHAT, time="21:00", weekdays="sat,sun")
    assert (view.time, view.weekdays, view.timezone, view.topics) == (
        "21:00", "sat,sun", "Europe/Berlin", ("dl",)
    )
    assert view.next_post_utc == datetime(2024, 3, 9, 20, 0, tzinfo=UTC)  # Saturday
    with pytest.raises(InvalidInputError, match="Nothing to change"):
        await services.schedules.update(CHAT)


async def test_pause_resume_unsubscribe(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "10:00", "UTC")
    paused = await services.schedules.pause(CHAT)
    assert paused.paused and paused.next_post_utc is None
    assert await services.schedules.store.due_groups(datetime(2030, 1, 1, tzinfo=UTC)) == []
    clock.advance(days=2)
    resumed = await services.schedules.resume(CHAT)
    assert not resumed.paused
    assert resumed.next_post_utc == datetime(2024, 3, 6, 10, 0, tzinfo=UTC)
    assert await services.schedules.unsubscribe(CHAT) is True
    assert await services.schedules.unsubscribe(CHAT) is False
    with pytest.raises(NotFoundError, match="no daily question") as raised:
        await services.schedules.show(CHAT)
    # The core speaks no platform's command syntax; the adapters add their own.
    assert "/" not in str(raised.value)


async def test_next_post_across_dst(services: Services, clock: FakeClock) -> None:
    clock.set(datetime(2024, 3, 30, 12, 0, tzinfo=UTC))
    view = await services.schedules.subscribe(CHAT, "02:30", "Europe/Berlin")
    # 02:30 does not exist on 31 March in Berlin; the post moves forward to 03:30 CEST.
    assert view.next_post_utc == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time": "25:00"}, "HH:MM"),
        ({"time": "09:00", "timezone": "Europe/Berln"}, "Did you mean: Europe/Berlin"),
        ({"time": "09:00", "weekdays": "mon,frii"}, "Did you mean: fri"),
        ({"time": "09:00", "topics": "normalisation"}, "Did you mean: normalization"),
        ({"time": "09:00", "reveal_delay": "forever"}, "reveal delay"),
        ({"time": "09:00", "thread": "sometimes"}, "on or off"),
    ],
)
async def test_invalid_input_names_valid_choices(
    services: Services, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        await services.schedules.subscribe(CHAT, **kwargs)
    with pytest.raises(NotFoundError):
        await services.schedules.show(CHAT)  # nothing was saved


async def test_topic_without_questions_is_rejected(services: Services) -> None:
    services.topics.bank.tags["speech"] = "Speech"
    with pytest.raises(InvalidInputError, match="No published questions for speech"):
        await services.schedules.subscribe(CHAT, "09:00", topics="speech")


async def test_a_broken_chat_says_why_until_resumed(services: Services, clock: FakeClock) -> None:
    schedules = services.schedules
    await schedules.subscribe(CHAT, "10:00", "Europe/Berlin")
    assert await schedules.broken_once(CHAT) is None  # posting works: nothing to say
    broke_at = clock.advance(hours=1)
    reason = "telegram: Forbidden: bot was kicked from the group chat"
    assert await schedules.store.mark_chat_broken(CHAT, reason, broke_at)
    # The next admin command hears it once; /schedule shows it every time.
    first = await schedules.broken_once(CHAT)
    assert first is not None and first.reason == reason
    assert first.since == broke_at and first.since.utcoffset() is not None
    assert str(first.since.tzinfo) == "Europe/Berlin"  # the schedule's own zone
    assert await schedules.broken_once(CHAT) is None
    for _ in range(2):
        shown = await schedules.show(CHAT)
        assert shown.broken == first
    paused = await schedules.pause(CHAT)
    assert paused.broken == first
    resumed = await schedules.resume(CHAT)
    assert resumed.broken is None and not resumed.paused
    assert (await schedules.show(CHAT)).broken is None
    # Broken again later: the next admin command hears the new reason.
    again = clock.advance(days=1)
    await schedules.store.mark_chat_broken(CHAT, "telegram: Forbidden: chat not found", again)
    later = await schedules.broken_once(CHAT)
    assert later is not None and later.since == again and "not found" in later.reason


async def test_broken_once_needs_a_schedule(services: Services, clock: FakeClock) -> None:
    await services.users.ensure_chat(CHAT, None, "Group")
    await services.schedules.store.mark_chat_broken(CHAT, "gone", clock.now())
    assert await services.schedules.broken_once(CHAT) is None  # nothing to resume
