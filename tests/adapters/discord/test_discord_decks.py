"""End to end on the fake Discord: `/deck add file:<attachment>` by a manager (the file
fetched from its attachment URL), a member quizzes on it in another channel of the server,
a member is refused, a malformed file is answered with its problems, removal, export."""

from __future__ import annotations

import re

import pytest

from tests.adapters.discord.fake_api import FakeAttachment
from tests.adapters.discord.support import Harness, discord_harness, fake_discord
from tests.adapters.discord.test_discord_buttons import click, custom_ids, open_modal, submit

__all__ = ["discord_harness", "fake_discord"]

pytestmark = pytest.mark.timeout(30)

CSV = (
    b"question,answer\n"
    b"What does CPU stand for?,Central processing unit @everyone\n"
    b"What does RAM stand for?,Random access memory\n"
    b"What is a kernel?,Answer here\n"
)


def _text(message: dict[str, object]) -> str:
    """The message's content without Discord's bold and code marks."""
    return re.sub(r"\*\*|`", "", str(message.get("content") or ""))


async def test_manager_uploads_member_quizzes_and_manager_removes(
    discord_harness: Harness,
) -> None:
    h = discord_harness
    (added,) = await h.replies(
        "deck add", {"file": FakeAttachment("hardware.csv", CSV)}, user=h.fake.admin
    )
    found = re.search(r"Added deck (hardware-[0-9a-f]{4})", _text(added))
    assert found, added
    deck_id = found.group(1)
    assert "3 items" in _text(added) and "1 item has no answer yet" in _text(added)
    assert h.fake.attachment_downloads  # fetched from the attachment's URL
    # A member in another channel of the same server quizzes on it.
    (question,) = await h.replies(
        "quiz", {"topic": deck_id, "count": 2}, channel_id=h.fake.daily_channel.id
    )
    assert "What does" in question["embeds"][0]["description"]
    completion = await h.fake.autocomplete("quiz", {"topic": "hardw"}, "topic")
    offered = await h.fake.wait_for_callback(completion)
    assert deck_id in [c["value"] for c in offered.data["choices"]]
    (listed,) = await h.replies("deck list")
    assert deck_id in _text(listed)
    (topics,) = await h.replies("topics")
    assert deck_id in str(topics["embeds"])
    # Removal asks first; confirm:True removes.
    (ask,) = await h.replies("deck remove", {"id": deck_id}, user=h.fake.admin)
    assert "To confirm, send" in _text(ask) and "confirm:True" in _text(ask)
    (done,) = await h.replies(
        "deck remove", {"id": deck_id, "confirm": True}, user=h.fake.admin
    )
    assert _text(done) == f"Removed deck {deck_id}."
    assert h.store.decks == {}


async def test_member_is_refused_and_nothing_is_fetched(discord_harness: Harness) -> None:
    h = discord_harness
    (refused,) = await h.replies("deck add", {"file": FakeAttachment("hardware.csv", CSV)})
    assert _text(refused) == "Only the chat's administrators can add or remove decks."
    assert h.fake.attachment_downloads == []
    assert h.store.decks == {}


async def test_malformed_file_lists_problems_and_export_sends_yaml(
    discord_harness: Harness,
) -> None:
    h = discord_harness
    bad = b"question,answer\n"  # a header and no rows
    (answer,) = await h.replies(
        "deck add", {"file": FakeAttachment("empty.csv", bad)}, user=h.fake.admin
    )
    assert "nothing was stored" in _text(answer)
    assert h.store.decks == {}
    (added,) = await h.replies(
        "deck add", {"file": FakeAttachment("hw.csv", CSV), "format": "csv"}, user=h.fake.admin
    )
    deck_id = _text(added).split()[2]
    (exported,) = await h.replies("deck export", {"id": deck_id})
    files = exported.get("attachments") or []
    assert files and files[0]["filename"] == f"{deck_id}.yaml"


async def test_a_self_graded_item_round_trips(discord_harness: Harness) -> None:
    """An open item without key points: the reference answer and the self-rating question,
    then the learner's Good schedules the review; one participation point."""
    h = discord_harness
    data = b"question,answer\nWhat is a mutex?,A lock only one thread holds at a time.\n"
    (added,) = await h.replies(
        "deck add", {"file": FakeAttachment("os.csv", data)}, user=h.fake.admin
    )
    deck_id = _text(added).split()[2]
    (question,) = await h.replies("quiz", {"topic": deck_id, "count": 1})
    session = custom_ids(question)[-1].rsplit(":", 1)[1]
    modal = await open_modal(h, f"prepbot:qans:{session}:1")
    feedback, *_ = await submit(h, modal, "Something about locking")
    shown = str(feedback["embeds"])
    assert "Reference answer: A lock only one thread holds at a time." in shown
    assert "How well did you know it?" in shown
    item_id = f"{deck_id}/row-2"
    assert f"prepbot:rate:{item_id}:good" in custom_ids(feedback)
    (rated,) = await click(h, f"prepbot:rate:{item_id}:good", message_id=int(feedback["id"]))
    assert "good" in str(rated).lower()
    card = await h.store.get_card(h.user_key(), item_id)
    assert card is not None and card.prev_card_json is None  # the learner's rating stands
    (answer,) = [a for a in h.store.answers.values() if a.item_id == item_id]
    assert answer.points == 1  # the participation point only
