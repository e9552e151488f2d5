"""Every button and the answer modal, end to end; buttons keep working after a restart."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.models import ChatKey
from tests.adapters.discord.fake_api import (
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    EPHEMERAL,
    FakeInteraction,
    FakeUser,
)
from tests.adapters.discord.support import (
    Harness,
    discord_harness,
    fake_discord,
    start_adapter,
)
from tests.factories import BAD, GOOD

__all__ = ["discord_harness", "fake_discord"]

pytestmark = pytest.mark.timeout(30)


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message["components"] for c in row["components"]]


async def post_daily(h: Harness, topics: str, chat: ChatKey | None = None) -> dict[str, Any]:
    """Subscribe the channel to `topics` and post today's question with /daily."""
    await h.services.schedules.subscribe(chat or h.chat_key(), "23:00", topics=topics)
    (message,) = await h.replies("daily")
    return message


async def click(
    h: Harness, custom_id: str, *, user: FakeUser | None = None, count: int = 1, **kwargs: Any
) -> list[dict[str, Any]]:
    """Click a button; return the first `count` messages the bot answered with."""
    inter = await h.fake.component(custom_id, user=user, **kwargs)
    callback = await h.fake.wait_for_callback(inter)
    assert callback.type == CALLBACK_DEFERRED_MESSAGE and callback.ephemeral
    await h.fake.wait_until(lambda: len(inter.followup_ids) >= count)
    return [h.fake.messages[i] for i in inter.followup_ids]


async def submit(h: Harness, custom_id: str, text: str, count: int = 1) -> list[dict[str, Any]]:
    """Submit an answer modal; return the bot's first `count` replies."""
    inter = await h.fake.modal_submit(custom_id, {"answer": text})
    await h.fake.wait_until(lambda: len(inter.followup_ids) >= count)
    return [h.fake.messages[i] for i in inter.followup_ids]


async def open_modal(h: Harness, custom_id: str) -> str:
    inter = await h.fake.component(custom_id)
    callback = await h.fake.wait_for_callback(inter)
    assert callback.type == CALLBACK_MODAL
    return str(callback.data["custom_id"])


def title(message: dict[str, Any], index: int = 0) -> str:
    return str(message["embeds"][index]["title"])


# --- daily posts ---------------------------------------------------------------------------


async def test_daily_answer_button_modal_is_graded(discord_harness: Harness) -> None:
    h = discord_harness
    message = await post_daily(h, "cnn")
    answer_id, show_id = custom_ids(message)
    post = int(answer_id.rsplit(":", 1)[1])
    modal = await open_modal(h, answer_id)
    assert modal == f"prepbot-modal:d:{post}"
    (feedback,) = await submit(h, modal, GOOD)
    assert title(feedback).startswith("✅ Correct") and feedback["flags"] & EPHEMERAL
    assert "**+" in feedback["embeds"][0]["description"]  # points
    assert show_id in custom_ids(feedback)
    # A second answer is feedback only.
    (again,) = await submit(h, modal, BAD)
    assert "Already answered" in again["embeds"][0]["description"]
    # Another member's wrong answer is graded for them.
    inter = await h.fake.modal_submit(modal, {"answer": BAD}, user=h.fake.admin)
    await h.fake.wait_until(lambda: inter.followup_ids)
    assert title(h.fake.messages[inter.followup_ids[0]]).startswith("❌")


async def test_daily_option_buttons(discord_harness: Harness) -> None:
    h = discord_harness
    message = await post_daily(h, "normalization")  # the one mcq
    ids = custom_ids(message)
    post = ids[0].split(":")[2]
    assert ids == [f"prepbot:opt:{post}:{n}" for n in (1, 2, 3)] + [f"prepbot:show:{post}"]
    assert "**A)** Right option" in message["embeds"][0]["description"]
    (right,) = await click(h, ids[0])
    assert title(right).startswith("✅ Correct")
    assert right["flags"] & EPHEMERAL  # the verdict reaches the presser alone, at once
    (wrong,) = await click(h, ids[1], user=h.fake.admin)
    assert title(wrong).startswith("❌")
    body = wrong["embeds"][0]["description"]
    assert "Right answer: **Right option**" in body
    assert "You chose: Wrong option A" in body
    assert "The right option." not in body and "✖️" not in body  # no rubric key points


async def test_daily_show_answer_short_then_full(discord_harness: Harness) -> None:
    h = discord_harness
    message = await post_daily(h, "cnn")
    show_id = custom_ids(message)[1]
    (short,) = await click(h, show_id)
    assert "Short answer" in short["embeds"][0]["description"]
    assert "Key points" not in short["embeds"][0]["description"]
    assert custom_ids(short)[-1] == show_id  # Full answer
    (full,) = await click(h, show_id, message_id=int(short["id"]))
    assert "Key points" in full["embeds"][0]["description"]
    assert all(i.startswith("prepbot:rate:") for i in custom_ids(full))
    # Answering after revealing earns no points.
    (late,) = await submit(h, f"prepbot-modal:d:{show_id.rsplit(':', 1)[1]}", GOOD)
    assert "no points" in late["embeds"][0]["description"]


async def test_rating_buttons(discord_harness: Harness) -> None:
    h = discord_harness
    message = await post_daily(h, "cnn")
    (feedback,) = await submit(h, f"prepbot-modal:d:{custom_ids(message)[0].split(':')[2]}", GOOD)
    rate_hard = next(i for i in custom_ids(feedback) if i.endswith(":hard"))
    (rated,) = await click(h, rate_hard, message_id=int(feedback["id"]))
    assert rated["content"].startswith("Rated **hard**: next review <t:")
    item = rate_hard.split(":")[2]
    card = await h.store.get_card(h.user_key(), item)
    assert card is not None


# --- quizzes ---------------------------------------------------------------------------------


async def start_quiz(h: Harness, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    (question,) = await h.replies("quiz", options)
    session = custom_ids(question)[-1].rsplit(":", 1)[1]  # the Stop button
    return session, question


async def test_quiz_modal_skip_and_summary(discord_harness: Harness) -> None:
    h = discord_harness
    session, question = await start_quiz(h, {"topic": "cnn", "count": 2})
    modal = await open_modal(h, f"prepbot:qans:{session}:1")
    assert modal == f"prepbot-modal:q:{session}:1"
    feedback, second = await submit(h, modal, GOOD, count=2)
    assert title(feedback).startswith("✅ Correct")
    assert title(second) == "Quiz · 2/2"
    assert f"prepbot:qskip:{session}:2" in custom_ids(second)
    # The first question's buttons are stale now.
    (stale,) = await click(h, f"prepbot:qskip:{session}:1", message_id=int(question["id"]))
    assert "already answered or skipped" in stale["content"]
    (summary,) = await click(h, f"prepbot:qskip:{session}:2", message_id=int(second["id"]))
    assert title(summary) == "Quiz finished"
    assert "1 correct" in summary["embeds"][0]["description"]
    assert "1 skipped of 2" in summary["embeds"][0]["description"]


async def test_quiz_options_reveal_and_stop(discord_harness: Harness) -> None:
    h = discord_harness
    session, question = await start_quiz(h, {"topic": "activation-functions", "count": 3})
    ids = custom_ids(question)
    assert ids[0] == f"prepbot:qopt:{session}:1:1"
    assert f"prepbot:qshow:{session}:1" in ids
    (revealed,) = await click(h, f"prepbot:qshow:{session}:1")
    assert "Short answer" in revealed["embeds"][0]["description"]
    assert f"prepbot:qshow:{session}:1" in custom_ids(revealed)
    feedback, second = await click(h, ids[0], count=2)
    assert "You saw the answer first" in feedback["embeds"][0]["description"]
    assert title(second) == "Quiz · 2/3"
    (stopped,) = await click(h, f"prepbot:qstop:{session}")
    assert title(stopped) == "Quiz stopped"
    (ended,) = await click(h, f"prepbot:qstop:{session}")
    assert "quiz is over" in ended["content"]


async def test_show_answer_of_an_answered_quiz_question(discord_harness: Harness) -> None:
    h = discord_harness
    session, question = await start_quiz(h, {"topic": "cnn", "count": 3})
    first = await h.store.get_quiz(int(session))
    assert first is not None
    _feedback, second = await submit(h, f"prepbot-modal:q:{session}:1", GOOD, count=2)
    assert title(second) == "Quiz · 2/3"
    # Question 1's own Show answer button: question 1's answer, no forfeit note.
    (shown,) = await click(h, f"prepbot:qshow:{session}:1", message_id=int(question["id"]))
    body = shown["embeds"][0]["description"]
    item = h.runtime.bank.items[first.item_ids[0]]
    assert "already answered or skipped" not in (shown.get("content") or "")
    assert shown["embeds"][0]["footer"]["text"] == f"question {item.id}"
    assert item.short_answer.split()[0] in body and "earns no points" not in body
    # Full answer on the second press.
    (full,) = await click(h, f"prepbot:qshow:{session}:1", message_id=int(shown["id"]))
    assert "Key points" in full["embeds"][0]["description"]
    # Question 2, the current one, forfeits its points.
    (current,) = await click(h, f"prepbot:qshow:{session}:2", message_id=int(second["id"]))
    assert current["embeds"][0]["footer"]["text"] == f"question {first.item_ids[1]}"
    assert "earns no points" in current["embeds"][0]["description"]


# --- reviews ---------------------------------------------------------------------------------


async def test_review_buttons(discord_harness: Harness) -> None:
    h = discord_harness
    message = await post_daily(h, "cnn")
    await submit(h, f"prepbot-modal:d:{custom_ids(message)[0].split(':')[2]}", BAD)
    h.clock.advance(days=30)
    (card,) = await h.replies("review")
    assert title(card).startswith("Review · 1 due")
    ids = custom_ids(card)
    item = ids[0].split(":")[2]
    assert ids == [f"prepbot:rans:{item}", f"prepbot:rshow:{item}"]
    (revealed,) = await click(h, ids[1])
    assert "Short answer" in revealed["embeds"][0]["description"]
    assert "prepbot:rnext" in custom_ids(revealed)
    modal = await open_modal(h, ids[0])
    assert modal == f"prepbot-modal:r:{item}"
    (feedback,) = await submit(h, modal, GOOD)
    assert title(feedback).startswith("✅ Correct")
    assert "prepbot:rnext" in custom_ids(feedback)
    (done,) = await click(h, "prepbot:rnext")
    assert "No reviews due" in done["content"]


async def test_review_option_buttons(discord_harness: Harness) -> None:
    h = discord_harness
    message = await post_daily(h, "normalization")
    await click(h, custom_ids(message)[1])  # a wrong option: a card is due soon
    h.clock.advance(days=30)
    (card,) = await h.replies("review")
    ids = custom_ids(card)
    assert ids[0] == "prepbot:ropt:cards/bn:1"
    (feedback,) = await click(h, ids[0])
    assert title(feedback).startswith("✅ Correct")


# --- robustness --------------------------------------------------------------------------


def old_id(action: str, *args: str | int) -> str:
    """A custom id exactly as the one string-keyed button class made them, before each kind
    of button had its own class: messages posted then still carry these."""
    return ":".join(["prepbot", action, *(str(arg) for arg in args)])


async def test_old_format_custom_ids_still_work(discord_harness: Harness) -> None:
    h = discord_harness
    message = await post_daily(h, "normalization")  # the one mcq
    post = custom_ids(message)[0].split(":")[2]
    (right,) = await click(h, old_id("opt", post, 1), user=h.fake.admin)
    assert title(right).startswith("✅ Correct")
    session, _question = await start_quiz(h, {"topic": "cnn", "count": 2})
    (early,) = await click(h, old_id("qskip", session, 2))
    assert "already answered or skipped" in early["content"]
    (shown,) = await click(h, old_id("qshow", session, 1))
    assert "Short answer" in shown["embeds"][0]["description"]
    (second,) = await click(h, old_id("qskip", session, 1))
    assert title(second) == "Quiz · 2/2"
    (stopped,) = await click(h, old_id("qstop", session))
    assert title(stopped) == "Quiz stopped"
    (ended,) = await click(h, old_id("qstop", session))
    assert "quiz is over" in ended["content"]



async def test_unknown_and_malformed_buttons(discord_harness: Harness) -> None:
    h = discord_harness
    for custom_id in ("prepbot:nosuch:1", "prepbot:opt:abc:1"):
        inter = await h.fake.component(custom_id)
        callback = await h.fake.wait_for_callback(inter)
        if callback.type == CALLBACK_MESSAGE:
            text = callback.content or ""
        else:
            await h.fake.wait_until(lambda i=inter: i.followup_ids)  # type: ignore[misc]
            text = h.fake.messages[inter.followup_ids[0]]["content"]
        assert "out of date" in text and callback.ephemeral


async def test_buttons_and_modal_survive_a_restart(discord_harness: Harness) -> None:
    h = discord_harness
    message = await post_daily(h, "cnn")
    answer_id, show_id = custom_ids(message)
    modal = await open_modal(h, answer_id)  # opened before the restart
    await h.adapter.stop()

    restarted = await start_adapter(h.fake, h.runtime)  # same store, new process state
    assert restarted.bot is not h.bot
    inter: FakeInteraction = await h.fake.component(show_id, user=h.fake.admin)
    assert inter.message_id == int(message["id"])  # the old message's button
    await h.fake.wait_until(lambda: inter.followup_ids)
    revealed = h.fake.messages[inter.followup_ids[0]]
    assert "Short answer" in revealed["embeds"][0]["description"]
    (feedback,) = await submit(h, modal, GOOD)
    assert title(feedback).startswith("✅ Correct")
