"""One contract suite for every Store: each test runs on memory and on SQLite."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.models import (
    SKIPPED,
    AnswerKind,
    AnswerRecord,
    ChatKey,
    DueGroup,
    GroupKey,
    NewOutboxRow,
    OutboxKind,
    OutboxStatus,
    QuizSession,
    QuizStatus,
    ReviewCard,
    Schedule,
    UserKey,
    Verdict,
    daily_target,
)
from bot.domain.streaks import StoredStreak, StreakState
from bot.errors import NotFoundError
from bot.ports import Store

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
ALICE = UserKey("telegram", "1")
BOB = UserKey("telegram", "2")
CHAT = ChatKey("telegram", "-100")
GROUP = GroupKey("telegram", "-100")


async def seed(store: Store) -> None:
    await store.upsert_user(ALICE, "Alice", T0)
    await store.upsert_user(BOB, "Bob", T0)
    await store.upsert_chat(CHAT, GROUP, "Study", T0)


def answer(
    user: UserKey = ALICE,
    target: str = "daily:1",
    *,
    verdict: Verdict = Verdict.CORRECT,
    points: int = 10,
    at: datetime = T0,
    kind: AnswerKind = AnswerKind.DAILY,
    item: str = "d/q01",
    post_id: int | None = None,
    group: GroupKey | None = GROUP,
    score: float = 1.0,
) -> AnswerRecord:
    return AnswerRecord(
        user=user,
        chat=CHAT,
        group=group,
        kind=kind,
        target=target,
        item_id=item,
        verdict=verdict,
        score=score,
        points=points,
        forfeited=False,
        answered_at=at,
        post_id=post_id,
    )


def schedule(chat: ChatKey = CHAT, **changes: object) -> Schedule:
    base = Schedule(
        chat=chat,
        local_time=time(9, 30),
        timezone="Europe/Berlin",
        weekdays=frozenset({0, 2, 4}),
        topics=("cnn", "dl"),
        reveal_delay_hours=12,
        thread=True,
        paused=False,
        next_post_utc=T0 + timedelta(hours=1),
        created_at=T0,
        updated_at=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_users_round_trip_and_update(store: Store) -> None:
    assert await store.get_user(ALICE) is None
    created = await store.upsert_user(ALICE, "Alice", T0 + timedelta(microseconds=5))
    assert created.created_at == T0 and created.display_name == "Alice"
    renamed = await store.upsert_user(ALICE, "Alice B.", T0 + timedelta(days=1))
    assert renamed.display_name == "Alice B." and renamed.created_at == T0
    await store.set_user_timezone(ALICE, "Asia/Kolkata")
    await store.set_leaderboard_opt_out(ALICE, True)
    user = await store.get_user(ALICE)
    assert user is not None
    assert (user.timezone, user.leaderboard_opt_out) == ("Asia/Kolkata", True)
    with pytest.raises(NotFoundError):
        await store.set_user_timezone(BOB, "UTC")


async def test_chats_keep_seed_and_update_group(store: Store) -> None:
    chat = await store.upsert_chat(CHAT, GROUP, "Study", T0)
    assert (chat.seed, chat.group, chat.title) == ("telegram:-100", GROUP, "Study")
    other = GroupKey("telegram", "g2")
    updated = await store.upsert_chat(CHAT, other, "Renamed", T0 + timedelta(days=1))
    assert (updated.group, updated.title, updated.seed) == (other, "Renamed", chat.seed)
    assert await store.get_chat(ChatKey("telegram", "nope")) is None


async def test_schedule_round_trip_due_and_delete(store: Store) -> None:
    await seed(store)
    with pytest.raises(NotFoundError):
        await store.save_schedule(schedule(ChatKey("telegram", "unknown")))
    await store.save_schedule(schedule())
    assert await store.get_schedule(CHAT) == schedule()
    assert await store.due_groups(T0) == []
    one = schedule()
    assert await store.due_groups(T0 + timedelta(hours=1)) == [
        DueGroup(one.local_time, one.timezone, one.weekdays, T0 + timedelta(hours=1), 1)
    ]
    await store.save_schedule(schedule(paused=True, next_post_utc=None))
    assert await store.due_groups(T0 + timedelta(days=9)) == []
    assert await store.group_timezone(GROUP) == "Europe/Berlin"
    assert await store.group_timezone(GroupKey("telegram", "other")) is None
    assert await store.delete_schedule(CHAT) is True
    assert await store.delete_schedule(CHAT) is False
    assert await store.get_schedule(CHAT) is None


async def test_due_groups_order_and_enqueue_in_chunks(store: Store) -> None:
    for n in range(5):
        key = ChatKey("discord", f"c{n}")
        await store.upsert_chat(key, GroupKey("discord", "g"), "", T0)
        await store.save_schedule(schedule(key, next_post_utc=T0 - timedelta(minutes=n % 3)))
    groups = await store.due_groups(T0)
    # Earliest first; c2 (2 min early) alone, c1 and c4 together, c0 and c3 together.
    assert [(g.due, g.channels) for g in groups] == [
        (T0 - timedelta(minutes=2), 1),
        (T0 - timedelta(minutes=1), 2),
        (T0, 2),
    ]
    later = T0 + timedelta(days=1)
    pair = groups[1]
    assert await store.enqueue_group(pair, date(2024, 3, 4), later, 1) == (1, 1)
    assert await store.enqueue_group(pair, date(2024, 3, 4), later, 1) == (1, 1)
    assert await store.enqueue_group(pair, date(2024, 3, 4), later, 1) == (0, 0)
    queued = await store.outbox_rows()
    assert sorted(r.chat.chat_id for r in queued) == ["c1", "c4"]
    assert {(r.kind, r.local_date, r.due_at) for r in queued} == {
        (OutboxKind.DAILY, date(2024, 3, 4), pair.due)
    }
    assert (await store.get_schedule(ChatKey("discord", "c4"))).next_post_utc == later  # type: ignore[union-attr]
    # A schedule moved back to the same instant cannot post the same local day twice.
    await store.save_schedule(schedule(ChatKey("discord", "c1"), next_post_utc=pair.due))
    assert await store.enqueue_group(pair, date(2024, 3, 4), later, 10) == (1, 0)
    assert len(await store.outbox_rows()) == 2
    # The oldest schedule of a group decides its timezone.
    await store.save_schedule(
        schedule(ChatKey("discord", "c3"), timezone="Asia/Tokyo", created_at=T0 - timedelta(1))
    )
    assert await store.group_timezone(GroupKey("discord", "g")) == "Asia/Tokyo"


async def test_daily_posts_are_unique_per_chat_and_date(store: Store) -> None:
    await seed(store)
    day = date(2024, 3, 4)
    post = await store.create_daily_post(CHAT, day, "d/q01", 0, T0, T0 + timedelta(hours=12))
    again = await store.create_daily_post(CHAT, day, "d/q99", 3, T0 + timedelta(hours=1), None)
    assert again == post
    assert post.item_id == "d/q01" and post.reveal_at == T0 + timedelta(hours=12)
    assert await store.get_post(post.id) == post
    assert await store.get_daily_post(CHAT, day) == post
    later = await store.create_daily_post(CHAT, day + timedelta(1), "d/q02", 0, T0, None)
    assert await store.latest_daily_post(CHAT) == later
    assert await store.get_daily_post(CHAT, day - timedelta(1)) is None


async def test_selection_state(store: Store) -> None:
    await seed(store)
    state = await store.selection_state(CHAT)
    assert (state.cycle, state.used, state.last_item) == (0, frozenset(), None)
    day = date(2024, 3, 4)
    for n, (item, cycle) in enumerate([("a/1", 0), ("a/2", 0), ("a/3", 1)]):
        await store.create_daily_post(CHAT, day + timedelta(n), item, cycle, T0, None)
    state = await store.selection_state(CHAT)
    assert (state.cycle, state.used, state.last_item) == (1, frozenset({"a/3"}), "a/3")


async def test_reveals_due_and_marking(store: Store) -> None:
    await seed(store)
    post = await store.create_daily_post(CHAT, date(2024, 3, 4), "d/q01", 0, T0, T0)
    await store.create_daily_post(CHAT, date(2024, 3, 5), "d/q02", 0, T0, None)
    assert [p.id for p in await store.posts_due_for_reveal(T0, 10)] == [post.id]
    assert await store.mark_post_revealed(post.id, T0) is True
    assert await store.mark_post_revealed(post.id, T0) is False
    assert await store.posts_due_for_reveal(T0, 10) == []
    with pytest.raises(NotFoundError):
        await store.mark_post_revealed(9999, T0)


async def test_record_answer_first_only(store: Store) -> None:
    await seed(store)
    stored = await store.record_answer(answer())
    assert stored is not None and stored.id is not None
    assert await store.record_answer(answer(verdict=Verdict.INCORRECT, points=1)) is None
    fetched = await store.get_answer(ALICE, "daily:1")
    assert fetched == stored
    assert await store.get_answer(BOB, "daily:1") is None
    with pytest.raises(NotFoundError):
        await store.record_answer(answer(UserKey("telegram", "ghost")))


async def test_record_answer_writes_card_and_quiz_atomically(store: Store) -> None:
    await seed(store)
    session = await store.create_quiz(quiz())
    assert session is not None
    progressed = replace(session, position=1, outcomes=("correct", None), points=10)
    card = ReviewCard(ALICE, "d/q01", '{"x": 1}', T0 + timedelta(days=1), T0)
    await store.record_answer(answer(target="quiz:1:0", kind=AnswerKind.QUIZ), card, progressed)
    assert await store.get_quiz(session.id) == progressed
    assert await store.get_card(ALICE, "d/q01") == card
    # A repeated answer writes nothing, not even its card or quiz progress.
    other_card = replace(card, card_json='{"x": 2}')
    finished = replace(progressed, status=QuizStatus.FINISHED)
    assert await store.record_answer(
        answer(target="quiz:1:0", kind=AnswerKind.QUIZ), other_card, finished
    ) is None
    assert await store.get_card(ALICE, "d/q01") == card
    assert await store.get_quiz(session.id) == progressed


async def test_answer_queries(store: Store) -> None:
    await seed(store)
    await store.record_answer(answer(target="t1", at=T0, points=10, item="d/q01"))
    await store.record_answer(
        answer(target="t2", at=T0 + timedelta(hours=1), points=5, kind=AnswerKind.QUIZ,
               verdict=Verdict.PARTIAL, item="d/q02")
    )
    await store.record_answer(
        answer(target="t3", at=T0 + timedelta(days=1), points=1, kind=AnswerKind.REVIEW,
               verdict=Verdict.INCORRECT, item="d/q01")
    )
    assert await store.points_between(ALICE, None, None) == 16
    assert await store.points_between(ALICE, T0, T0 + timedelta(hours=1)) == 10
    capped = {AnswerKind.QUIZ, AnswerKind.REVIEW}
    assert await store.points_between(ALICE, T0, None, capped) == 6
    assert await store.points_between(ALICE, None, None, set()) == 0
    assert await store.answer_times(ALICE) == [
        T0, T0 + timedelta(hours=1), T0 + timedelta(days=1)
    ]
    assert await store.verdict_counts(ALICE) == [
        ("d/q01", Verdict.CORRECT, 1),
        ("d/q01", Verdict.INCORRECT, 1),
        ("d/q02", Verdict.PARTIAL, 1),
    ]
    assert await store.answered_item_ids(ALICE) == {"d/q01", "d/q02"}
    assert await store.answered_item_ids(BOB) == set()


async def test_answer_times_are_distinct_quarter_hours(store: Store) -> None:
    await seed(store)
    for n, minutes in enumerate([0, 5, 14, 15, 44, 60 * 24]):
        await store.record_answer(answer(target=f"t{n}", at=T0 + timedelta(minutes=minutes)))
    assert await store.answer_times(ALICE) == [
        T0, T0 + timedelta(minutes=15), T0 + timedelta(minutes=30), T0 + timedelta(days=1)
    ]


STREAK = StoredStreak("Europe/Berlin", StreakState(date(2024, 3, 4), 4, 9, 1))


async def test_streaks_are_stored_with_the_answer(store: Store) -> None:
    await seed(store)
    assert await store.streak_states([ALICE, BOB]) == {}
    await store.record_answer(answer(), streak=STREAK)
    assert await store.streak_states([ALICE, BOB]) == {ALICE: STREAK}
    context = await store.answer_context(ALICE, CHAT, "daily:2", "d/q02")
    assert context.streak == STREAK
    # A duplicate answer is rolled back whole: its streak is not stored either.
    later = StoredStreak("UTC", StreakState(date(2024, 3, 5), 5, 9, 1))
    assert await store.record_answer(answer(), streak=later) is None
    assert await store.streak_states([ALICE]) == {ALICE: STREAK}
    await store.record_answer(answer(target="daily:2"), streak=later)
    assert await store.streak_states([ALICE]) == {ALICE: later}
    # Users of several platforms in one lookup.
    other = UserKey("discord", "alice")
    await store.upsert_user(other, "Alice", T0)
    await store.record_answer(answer(other), streak=STREAK)
    assert await store.streak_states([ALICE, other]) == {ALICE: later, other: STREAK}


async def test_answer_context(store: Store) -> None:
    empty = await store.answer_context(ALICE, CHAT, "daily:1", "d/q01")
    assert (empty.user, empty.chat, empty.existing, empty.reveals, empty.card) == (
        None, None, None, 0, None
    )
    await seed(store)
    await store.save_schedule(schedule())
    stored = await store.record_answer(answer())
    await store.record_reveal(ALICE, "daily:1", "d/q01", T0)
    card = ReviewCard(ALICE, "d/q01", "{}", T0)
    await store.save_card(card)
    context = await store.answer_context(ALICE, CHAT, "daily:1", "d/q01")
    assert context.user == await store.get_user(ALICE)
    assert context.chat == await store.get_chat(CHAT)
    assert (context.existing, context.reveals, context.card) == (stored, 1, card)
    assert context.chat_timezone == "Europe/Berlin"
    other = await store.answer_context(BOB, CHAT, "daily:1", "d/q01")
    assert (other.existing, other.reveals, other.card) == (None, 0, None)


async def test_post_results(store: Store) -> None:
    await seed(store)
    post = await store.create_daily_post(CHAT, date(2024, 3, 4), "d/q01", 0, T0, None)
    target = daily_target(post.id)
    await store.record_answer(answer(ALICE, target, post_id=post.id, score=0.5, points=5,
                                     verdict=Verdict.PARTIAL))
    await store.record_answer(answer(BOB, target, post_id=post.id, score=1.0,
                                     at=T0 + timedelta(minutes=5)))
    results = await store.post_results(post.id, 1)
    assert results.answered == 2
    assert [(s.display_name, s.score, s.points) for s in results.top] == [("Bob", 1.0, 10)]


async def test_leaderboard_entries(store: Store) -> None:
    await seed(store)
    carol = UserKey("telegram", "3")
    await store.upsert_user(carol, "Carol", T0)
    await store.record_answer(answer(ALICE, "a1", at=T0, points=10))
    await store.record_answer(answer(ALICE, "a2", at=T0 + timedelta(hours=2), points=5,
                                     verdict=Verdict.PARTIAL))
    await store.record_answer(answer(ALICE, "a3", at=T0 + timedelta(hours=3), points=0,
                                     verdict=Verdict.INCORRECT))
    await store.record_answer(answer(BOB, "b1", at=T0 + timedelta(hours=1), points=10))
    await store.record_answer(answer(BOB, "b2", at=T0 + timedelta(days=8), points=10))
    await store.record_answer(answer(carol, "c1", at=T0, points=10,
                                     group=GroupKey("telegram", "elsewhere")))
    week = await store.leaderboard_entries(GROUP, T0, T0 + timedelta(days=7))
    by_name = {e.display_name: e for e in week}
    assert set(by_name) == {"Alice", "Bob"}
    alice = by_name["Alice"]
    assert (alice.points, alice.answered, alice.correct, alice.partial) == (15, 3, 1, 1)
    assert alice.reached_at == T0 + timedelta(hours=2)  # the zero-point answer is ignored
    assert by_name["Bob"].points == 10
    everything = await store.leaderboard_entries(GROUP, None, None)
    assert {e.display_name: e.points for e in everything} == {"Alice": 15, "Bob": 20}
    await store.set_leaderboard_opt_out(BOB, True)
    assert [e.display_name for e in await store.leaderboard_entries(GROUP, None, None)] == [
        "Alice"
    ]


async def test_reveal_counts(store: Store) -> None:
    await seed(store)
    assert await store.reveal_count(ALICE, "daily:1") == 0
    assert await store.record_reveal(ALICE, "daily:1", "d/q01", T0) == 1
    assert await store.record_reveal(ALICE, "daily:1", "d/q01", T0) == 2
    assert await store.reveal_count(ALICE, "daily:1") == 2
    assert await store.reveal_count(BOB, "daily:1") == 0


def quiz(user: UserKey = ALICE, chat: ChatKey = CHAT) -> QuizSession:
    return QuizSession(
        id=0,
        user=user,
        chat=chat,
        item_ids=("d/q01", "d/q02"),
        outcomes=(None, None),
        position=0,
        points=0,
        status=QuizStatus.ACTIVE,
        started_at=T0,
        topic="cnn",
        difficulty="easy",
    )


async def test_quiz_one_active_per_user_and_chat(store: Store) -> None:
    await seed(store)
    first = await store.create_quiz(quiz())
    assert first is not None and first.id > 0
    assert await store.create_quiz(quiz()) is None
    assert await store.get_active_quiz(ALICE, CHAT) == first
    other = await store.create_quiz(quiz(BOB))
    assert other is not None and other.id != first.id
    done = replace(first, position=2, outcomes=("correct", SKIPPED), status=QuizStatus.STOPPED,
                   ended_at=T0 + timedelta(minutes=3))
    await store.update_quiz(done)
    assert await store.get_quiz(first.id) == done
    assert await store.get_active_quiz(ALICE, CHAT) is None
    assert await store.create_quiz(quiz()) is not None
    with pytest.raises(NotFoundError):
        await store.update_quiz(replace(done, id=999))


async def test_cards_due_order(store: Store) -> None:
    await seed(store)
    for n, hours in enumerate([5, -3, -1, 30]):
        await store.save_card(
            ReviewCard(ALICE, f"d/q0{n}", "{}", T0 + timedelta(hours=hours), None, "prev")
        )
    await store.save_card(ReviewCard(BOB, "d/q09", "{}", T0 - timedelta(days=3)))
    due = await store.due_cards(ALICE, T0, 10)
    assert [c.item_id for c in due] == ["d/q01", "d/q02"]
    assert due[0].prev_card_json == "prev"
    assert await store.count_due(ALICE, T0) == 2
    assert await store.next_due(ALICE, T0) == T0 + timedelta(hours=5)
    assert await store.next_due(ALICE, T0 + timedelta(days=5)) is None
    updated = ReviewCard(ALICE, "d/q01", '{"v": 2}', T0 + timedelta(days=2), T0, None)
    await store.save_card(updated)
    assert await store.get_card(ALICE, "d/q01") == updated
    assert await store.count_due(ALICE, T0) == 1


async def test_reports(store: Store) -> None:
    await seed(store)
    first = await store.add_report(ALICE, "d/q01", "typo in answer", T0)
    second = await store.add_report(None, "d/q02", "wrong", T0 + timedelta(minutes=1))
    assert await store.list_reports() == [first, second]
    assert first.user == ALICE and second.user is None


async def test_delete_user_removes_everything_about_them(store: Store) -> None:
    await seed(store)
    await store.record_answer(answer(), streak=STREAK)
    await store.record_answer(answer(BOB), streak=STREAK)
    await store.record_reveal(ALICE, "daily:1", "d/q01", T0)
    await store.create_quiz(quiz())
    await store.save_card(ReviewCard(ALICE, "d/q01", "{}", T0))
    await store.add_report(ALICE, "d/q01", "mine", T0)
    assert await store.delete_user(ALICE) is True
    assert await store.delete_user(ALICE) is False
    assert await store.get_user(ALICE) is None
    assert await store.get_answer(ALICE, "daily:1") is None
    assert await store.reveal_count(ALICE, "daily:1") == 0
    assert await store.get_active_quiz(ALICE, CHAT) is None
    assert await store.get_card(ALICE, "d/q01") is None
    assert await store.list_reports() == []
    assert await store.answer_times(ALICE) == []
    assert await store.streak_states([ALICE, BOB]) == {BOB: STREAK}
    # Other users are untouched.
    assert await store.get_answer(BOB, "daily:1") is not None


async def test_migrate_chat_keeps_schedule_history_and_seed(store: Store) -> None:
    await seed(store)
    await store.save_schedule(schedule())
    post = await store.create_daily_post(CHAT, date(2024, 3, 4), "d/q01", 0, T0, None)
    await store.record_answer(answer(target=daily_target(post.id), post_id=post.id))
    session = await store.create_quiz(quiz())
    assert session is not None
    new = ChatKey("telegram", "-100200")
    new_group = GroupKey("telegram", "-100200")
    migrated = await store.migrate_chat(CHAT, new, new_group)
    assert (migrated.key, migrated.group, migrated.seed) == (new, new_group, "telegram:-100")
    assert await store.get_chat(CHAT) is None
    assert await store.get_schedule(CHAT) is None
    moved = await store.get_schedule(new)
    assert moved is not None and moved.timezone == "Europe/Berlin" and moved.chat == new
    assert (await store.latest_daily_post(new)) == replace(post, chat=new)
    assert await store.get_active_quiz(ALICE, new) == replace(session, chat=new)
    stored = await store.get_answer(ALICE, daily_target(post.id))
    assert stored is not None and stored.chat == new and stored.group == new_group
    assert [e.points for e in await store.leaderboard_entries(new_group, None, None)] == [10]
    assert await store.group_timezone(new_group) == "Europe/Berlin"
    with pytest.raises(NotFoundError):
        await store.migrate_chat(CHAT, new, None)


async def test_migrate_chat_merges_into_existing_target(store: Store) -> None:
    await seed(store)
    new = ChatKey("telegram", "-100200")
    await store.upsert_chat(new, GroupKey("telegram", "-100200"), "Super", T0)
    await store.save_schedule(schedule())
    await store.save_schedule(schedule(new, timezone="Asia/Tokyo"))
    day = date(2024, 3, 4)
    await store.create_daily_post(CHAT, day, "d/q01", 0, T0, None)
    await store.create_daily_post(new, day, "d/q05", 0, T0, None)  # conflicts: old wins
    await store.create_daily_post(new, day + timedelta(1), "d/q06", 0, T0, None)
    await store.create_quiz(quiz(ALICE, CHAT))
    await store.create_quiz(quiz(ALICE, new))
    await store.create_quiz(quiz(BOB, new))
    migrated = await store.migrate_chat(CHAT, new, None)
    assert migrated.seed == "telegram:-100" and migrated.title == "Study"
    schedule_after = await store.get_schedule(new)
    assert schedule_after is not None and schedule_after.timezone == "Europe/Berlin"
    first_day = await store.get_daily_post(new, day)
    assert first_day is not None and first_day.item_id == "d/q01"
    second_day = await store.get_daily_post(new, day + timedelta(1))
    assert second_day is not None and second_day.item_id == "d/q06"
    alice_quiz = await store.get_active_quiz(ALICE, new)
    assert alice_quiz is not None and alice_quiz.topic == "cnn"
    assert await store.get_active_quiz(BOB, new) is not None


async def test_polls_lead_to_their_post_and_follow_migrations(store: Store) -> None:
    await seed(store)
    day = date(2024, 3, 4)
    post = await store.create_daily_post(CHAT, day, "d/q01", 0, T0, None)
    await store.remember_poll("telegram", "poll-1", post.id, T0)
    assert await store.poll_post("telegram", "poll-1") == post
    assert await store.poll_post("discord", "poll-1") is None  # ids are per platform
    assert await store.poll_post("telegram", "poll-2") is None
    with pytest.raises(NotFoundError):
        await store.remember_poll("telegram", "poll-3", post.id + 99, T0)
    assert await store.poll_post("telegram", "poll-3") is None

    # A migration keeps the post, so the poll now leads to the new chat; a target post
    # dropped by the merge (the old chat's post wins its date) takes its poll with it.
    new = ChatKey("telegram", "-100200")
    await store.upsert_chat(new, GroupKey("telegram", "-100200"), "Super", T0)
    loser = await store.create_daily_post(new, day, "d/q05", 0, T0, None)
    await store.remember_poll("telegram", "poll-lost", loser.id, T0)
    await store.migrate_chat(CHAT, new, None)
    assert await store.poll_post("telegram", "poll-1") == replace(post, chat=new)
    assert await store.poll_post("telegram", "poll-lost") is None


async def test_private_ok_is_per_user_and_deleted_with_them(store: Store) -> None:
    await seed(store)
    assert await store.private_ok(ALICE) is False
    assert await store.set_private_ok(ALICE, True) is True
    assert (await store.private_ok(ALICE), await store.private_ok(BOB)) == (True, False)
    await store.upsert_user(ALICE, "Alice renamed", T0)  # an update keeps the flag
    assert await store.private_ok(ALICE) is True
    assert await store.set_private_ok(ALICE, False) is True
    assert await store.private_ok(ALICE) is False

    stranger = UserKey("telegram", "404")
    assert await store.set_private_ok(stranger, True) is False  # nothing to attach it to
    assert await store.private_ok(stranger) is False

    await store.set_private_ok(BOB, True)
    assert await store.delete_user(BOB) is True
    await store.upsert_user(BOB, "Bob", T0)
    assert await store.private_ok(BOB) is False  # /forget took the flag too


async def test_claimed_outbox_rows_are_leased_until_they_run_out(store: Store) -> None:
    chats = [ChatKey("telegram", f"-{n}") for n in range(3)]
    due = [T0 - timedelta(minutes=n) for n in range(3)]  # the last chat is the oldest
    rows = [
        NewOutboxRow(chat, OutboxKind.DAILY, date(2024, 3, 4), at)
        for chat, at in zip(chats, due, strict=True)
    ]
    assert await store.commit_tick(rows, []) == 3
    lease = timedelta(minutes=5)
    first = await store.claim_outbox("telegram", T0, 2, lease)
    assert [row.chat for row in first] == [chats[2], chats[1]]  # oldest first
    assert all(row.next_attempt_at == T0 + lease for row in first)
    second = await store.claim_outbox("telegram", T0, 10, lease)
    assert [row.chat for row in second] == [chats[0]]  # claimed rows are not claimed again
    assert await store.claim_outbox("telegram", T0 + timedelta(minutes=4), 10, lease) == []
    assert await store.claim_outbox("discord", T0 + timedelta(hours=1), 10, lease) == []
    # A sent row is done; an unrecorded claim comes back once its lease has run out.
    await store.update_outbox(first[0].id, status=OutboxStatus.SENT, sent_at=T0)
    later = await store.claim_outbox("telegram", T0 + lease, 10, lease)
    assert sorted(row.id for row in later) == sorted([first[1].id, second[0].id])
