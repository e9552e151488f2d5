from __future__ import annotations

import pytest

from bot.domain.models import ChatKey, GroupKey
from bot.domain.selection import next_item
from bot.errors import InvalidInputError
from bot.services import Services
from tests.factories import ALICE, BOB, CHAT, GOOD, FakeClock


async def test_ensure_user_records_and_renames(services: Services) -> None:
    first = await services.users.ensure_user(ALICE, "Alice")
    assert first.display_name == "Alice"
    again = await services.users.ensure_user(ALICE, "Alice Smith")
    assert again.display_name == "Alice Smith"
    assert again.created_at == first.created_at
    blank = await services.users.ensure_user(BOB, "  ")
    assert blank.display_name == BOB.user_id


async def test_ensure_chat_group(services: Services) -> None:
    standalone = await services.users.ensure_chat(CHAT, title="Study")
    assert standalone.group == GroupKey("telegram", CHAT.chat_id)
    channel = ChatKey("discord", "chan")
    in_guild = await services.users.ensure_chat(channel, "guild-1", "general")
    assert in_guild.group == GroupKey("discord", "guild-1")


async def test_timezone_own_then_reset_to_chat(services: Services) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "Europe/Berlin")
    result = await services.users.set_timezone(ALICE, "asia/kolkata", CHAT)
    assert (result.own, result.effective) == ("Asia/Kolkata", "Asia/Kolkata")
    reset = await services.users.set_timezone(ALICE, "reset", CHAT)
    assert (reset.own, reset.effective) == (None, "Europe/Berlin")
    assert (await services.users.timezone(ALICE)).effective == "UTC"


async def test_unknown_timezone_names_closest(services: Services) -> None:
    with pytest.raises(InvalidInputError, match="Did you mean: Europe/Paris"):
        await services.users.set_timezone(ALICE, "Europe/Pariss")
    assert (await services.users.timezone(ALICE)).own is None


async def test_migrate_chat_keeps_schedule_history_and_order(
    services: Services, clock: FakeClock
) -> None:
    await services.users.ensure_user(ALICE, "Alice")
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    first = await services.daily.today(CHAT)
    await services.answers.answer(ALICE, CHAT, GOOD)

    new = ChatKey("telegram", "-1009")
    await services.users.migrate_chat(CHAT, new)
    shown = await services.schedules.show(new)
    assert shown.topics == ("dl",)
    today = await services.daily.today(new)
    assert today.post_id == first.post_id and today.question.item_id == first.question.item_id
    board = await services.leaderboards.leaderboard(new, ALICE, "all")
    assert [(row.display_name, row.points) for row in board.rows] == [("Alice", 10)]
    assert board.group == GroupKey("telegram", "-1009")
    assert (await services.stats.streak(ALICE, new)).current == 1
    # The question order continues from the old chat's seed, not the new id's.
    pool = [f"dl/q{n:02d}" for n in range(1, 7)]
    expected = next_item(pool, {first.question.item_id}, str(CHAT), 0)
    other_seed = next_item(pool, {first.question.item_id}, str(new), 0)
    assert expected is not None and other_seed is not None
    assert expected.item_id != other_seed.item_id  # so the check below can tell them apart
    clock.advance(days=1)
    assert (await services.daily.today(new)).question.item_id == expected.item_id
