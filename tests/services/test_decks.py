"""Uploaded decks: add (all or nothing), scoping per chat or server, list/show/remove/export,
and the chat's quizzes, schedules and topics seeing them."""

from __future__ import annotations

import pytest

from bot.domain.models import ChatKey, UserKey
from bot.errors import InvalidInputError, NotAllowedError, NotFoundError
from bot.services import Services
from bot.services.decks import DeckRejectedError

ADMIN = UserKey("telegram", "1")
CHAT = ChatKey("telegram", "-100")
OTHER = ChatKey("telegram", "-200")
CSV = (
    b"question,answer,tags\n"
    b"What does CPU stand for?,Central processing unit,hardware\n"
    b"What does RAM stand for?,Random access memory,hardware\n"
    b"What is a kernel?,Answer here,os\n"
)


async def _add(services: Services, data: bytes = CSV, chat: ChatKey = CHAT) -> str:
    added = await services.decks.add(ADMIN, chat, data, "my deck.csv", admin=True)
    return added.info.id


async def test_an_upload_is_summarised_and_quizzed_on_only_in_its_chat(
    services: Services,
) -> None:
    added = await services.decks.add(ADMIN, CHAT, CSV, "my deck.csv", admin=True)
    assert added.info.format == "csv"
    assert added.by_type == {"open": 3}
    assert added.no_answer == 1  # the placeholder
    deck_id = added.info.id
    assert deck_id.startswith("my-deck-")
    assert [d.id for d in await services.decks.list(CHAT)] == [deck_id]
    assert await services.decks.list(OTHER) == []
    # The chat quizzes on its deck (the placeholder item is never asked) ...
    start = await services.quizzes.start(ADMIN, CHAT, deck_id, 5)
    assert start.question is not None
    assert start.question.item_id.startswith(f"{deck_id}/")
    assert start.total == 2
    # ... another chat does not even know the topic.
    with pytest.raises(InvalidInputError):
        await services.quizzes.start(ADMIN, OTHER, deck_id, 5)
    topics = {t.name: t.items for t in await services.decks.topics(CHAT)}
    assert topics[deck_id] == 2  # the placeholder is not counted: it is never asked
    assert topics["hardware"] == 2 and "os" not in topics  # "os" tags only the placeholder
    assert deck_id not in {t.name for t in await services.decks.topics(OTHER)}
    # The chat may schedule only its own deck.
    view = await services.schedules.subscribe(CHAT, "09:00", topics=deck_id)
    assert view.topics == (deck_id,) and view.pool_size == 2
    daily = await services.daily.today(CHAT)
    assert daily.question.item_id.startswith(f"{deck_id}/")


async def test_a_discord_deck_is_shared_by_the_servers_channels(services: Services) -> None:
    one, two = ChatKey("discord", "c1"), ChatKey("discord", "c2")
    for chat in (one, two):
        await services.users.ensure_chat(chat, "g1", "general")
    deck_id = await _add(services, chat=one)
    assert [d.id for d in await services.decks.list(two)] == [deck_id]


async def test_a_malformed_file_lists_its_problems_and_stores_nothing(
    services: Services,
) -> None:
    bad = b"id: x\ntitle: X\nlanguage: en\nlicense: MIT\nattribution: me\nitems:\n" \
          b"  - id: x/a\n    type: mcq\n    question: Which?\n" \
          b"  - id: x/b\n    type: open\n"
    with pytest.raises(DeckRejectedError) as caught:
        await services.decks.add(ADMIN, CHAT, bad, "deck.yaml", admin=True)
    lines = [line for line, _ in caught.value.problems.lines]
    assert 7 in lines and 10 in lines  # each problem on its own line of the file
    assert await services.decks.list(CHAT) == []


async def test_limits_and_admins(services: Services) -> None:
    with pytest.raises(NotAllowedError):
        await services.decks.add(ADMIN, CHAT, CSV, "a.csv", admin=False)
    big = b"question,answer\n" + b"Why?,Because\n" * 2001
    with pytest.raises(DeckRejectedError):
        await services.decks.add(ADMIN, CHAT, big, "big.csv", admin=True)
    with pytest.raises(InvalidInputError):
        await services.decks.add(ADMIN, CHAT, b"x" * (3 * 1024 * 1024), "huge.csv", admin=True)
    assert await services.decks.list(CHAT) == []


async def test_show_export_and_remove_after_confirmation(services: Services) -> None:
    deck_id = await _add(services)
    shown = await services.decks.show(CHAT, deck_id)
    assert shown.first[0][1] == "What does CPU stand for?"
    exported = await services.decks.export(CHAT, deck_id)
    assert exported.filename == f"{deck_id}.yaml" and "Central processing unit" in exported.text
    with pytest.raises(NotFoundError):
        await services.decks.show(OTHER, deck_id)
    first = await services.decks.remove(ADMIN, CHAT, deck_id, admin=True, confirmed=False)
    assert not first.removed and await services.decks.list(CHAT)
    done = await services.decks.remove(ADMIN, CHAT, deck_id, admin=True, confirmed=False)
    assert done.removed and await services.decks.list(CHAT) == []
    with pytest.raises(InvalidInputError):
        await services.quizzes.start(ADMIN, CHAT, deck_id, 1)


async def test_decks_come_back_from_the_store(services: Services) -> None:
    deck_id = await _add(services)
    services.decks.bank.drop_owned(deck_id)
    assert await services.decks.load() == 1
    start = await services.quizzes.start(ADMIN, CHAT, deck_id, 1)
    assert start.question is not None


async def test_open_items_without_key_points_are_self_graded(services: Services) -> None:
    data = b"question,answer\nWhat is a mutex?,A lock only one thread holds at a time.\n"
    deck_id = await _add(services, data)
    start = await services.quizzes.start(ADMIN, CHAT, deck_id, 1)
    assert start.question is not None
    result = await services.quizzes.answer(ADMIN, CHAT, "no idea really")
    assert result.self_graded and result.reference == "A lock only one thread holds at a time."
    assert result.points == 1 and result.counted  # participation only; the streak counts
    assert result.streak.answered_today
    rated = await services.reviews.rate(ADMIN, start.question.item_id, "easy", CHAT)
    assert rated.replaced_derived  # the learner's rating replaces the derived one


async def test_uploaded_text_renders_no_mention_or_link(services: Services) -> None:
    data = (
        b"question,answer\n"
        b"Who is @everyone?,See [the docs](https://evil.example) or http://x.example <@42>\n"
    )
    deck_id = await _add(services, data)
    item = services.decks.bank.item(f"{deck_id}/row-2")
    assert item is not None
    text = item.question + item.answer
    assert "@everyone" not in text and "<@42>" not in text
    assert "](" not in text and "://" not in text
    assert "the docs (https:\u200b//evil.example)" in item.answer
