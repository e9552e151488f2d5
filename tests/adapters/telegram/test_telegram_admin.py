"""End to end: /schedule for admins only, removal from a group, group migration."""

from __future__ import annotations

from datetime import time

import pytest

from tests.adapters.telegram.conftest import StartTelegram
from tests.adapters.telegram.fake_api import make_group
from tests.factories import GOOD, bank, open_deck

pytestmark = pytest.mark.timeout(30)


async def test_non_admin_gets_a_polite_refusal(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    tg.fake.set_member_status(tg.group["id"], tg.bob["id"], "member")
    refusal = await tg.reply("/schedule 09:00", chat=tg.group, user=tg.bob)
    assert refusal.text is not None and refusal.text.startswith(
        "Sorry, only this chat's administrators can manage the daily question."
    )
    member = tg.fake.last_call("getChatMember")
    assert member.params == {"chat_id": tg.group["id"], "user_id": tg.bob["id"]}
    assert await tg.store.get_schedule(tg.chat_key(tg.group)) is None
    shown = await tg.reply("/schedule", chat=tg.group, user=tg.bob)
    assert shown.text is not None and shown.text.startswith("Sorry")


async def test_admin_subscribes_shows_pauses_resumes_and_stops(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    group, admin = tg.group, tg.alice
    tg.fake.set_member_status(group["id"], admin["id"], "administrator")
    none = await tg.reply("/schedule", chat=group, user=admin)
    assert none.text is not None and none.text.startswith("This chat has no daily question")
    assert "/schedule 09:00 Europe/Berlin" in none.text

    done = await tg.reply(
        "/schedule 09:30 Europe/Berlin mon-fri dl reveal=12h", chat=group, user=admin
    )
    assert done.text is not None and done.text.startswith("✅ Scheduled.")
    assert "09:30 Europe/Berlin, mon-fri" in done.text
    assert "Topics: dl (3 questions); answer revealed after 12 h." in done.text
    schedule = await tg.store.get_schedule(tg.chat_key(group))
    assert schedule is not None and schedule.local_time == time(9, 30)
    assert schedule.weekdays == frozenset(range(5)) and schedule.reveal_delay_hours == 12

    tg.fake.set_member_status(group["id"], admin["id"], "creator")  # owners count too
    paused = await tg.reply("/schedule pause", chat=group, user=admin)
    assert paused.text is not None and paused.text.startswith("⏸ Paused.")
    assert "— paused" in paused.text
    resumed = await tg.reply("/schedule resume", chat=group, user=admin)
    assert resumed.text is not None and resumed.text.startswith("▶️ Resumed.")
    assert "Next: Tue 5 Mar 09:30 CET" in resumed.text
    bad = await tg.reply("/schedule 25:00", chat=group, user=admin)
    assert bad.text is not None and "25:00" in bad.text
    off = await tg.reply("/schedule off", chat=group, user=admin)
    assert off.text is not None and off.text.startswith("🛑 The daily question is off")
    assert await tg.store.get_schedule(tg.chat_key(group)) is None


async def test_private_chat_owner_may_schedule(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    mark = tg.fake.mark()
    done = await tg.reply("/schedule 07:00 UTC")
    assert done.text is not None and done.text.startswith("✅ Scheduled.")
    assert tg.fake.calls_to("getChatMember", since=mark) == []


async def test_bot_removed_from_group_pauses_its_schedule(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    await tg.services.schedules.subscribe(tg.chat_key(tg.group), "09:00", "UTC")
    tg.fake.kick_bot(tg.group, by=tg.bob)
    # The group's updates are handled in order: once the bot tried to answer this
    # (Telegram refuses with 403 now), the removal was handled.
    refused = await tg.say("/help", chat=tg.group, user=tg.bob)
    assert refused[0].status == 403
    again = await tg.say("/help", chat=tg.group, user=tg.bob)
    # Both refused, and no apology was tried into the lost chat in between.
    assert tg.fake.calls_to("sendMessage", since=refused[0].index) == [refused[0], again[0]]
    schedule = await tg.store.get_schedule(tg.chat_key(tg.group))
    assert schedule is not None and schedule.paused and schedule.next_post_utc is None

    mark = tg.fake.mark()
    tg.fake.add_bot(tg.group, by=tg.bob)
    welcome = tg.fake.message_for(await tg.fake.wait_for_call("sendMessage", since=mark))
    assert welcome.chat_id == tg.group["id"]
    assert welcome.text is not None and welcome.text.startswith("👋 Hi!")


async def test_group_migration_keeps_schedule_and_history(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    old = make_group(-4242, "Small group", supergroup=False)
    await tg.services.schedules.subscribe(tg.chat_key(old), "09:00", "Europe/Berlin")
    await tg.reply("/daily", chat=old, user=tg.bob)
    await tg.reply(f"/answer {GOOD}", chat=old, user=tg.bob)
    tg.fake.migrate_group(old)
    new = {**old, "id": -1004242, "type": "supergroup"}
    board = await tg.reply("/leaderboard", chat=new, user=tg.bob)
    assert board.text is not None and "🥇 Bob — 10 pts" in board.text
    schedule = await tg.store.get_schedule(tg.chat_key(new))
    assert schedule is not None and schedule.timezone == "Europe/Berlin"
    assert await tg.store.get_schedule(tg.chat_key(old)) is None
