"""Handler-level tests: HTML rendering, splitting, callback data, error mapping, ordering."""

from __future__ import annotations

import datetime as dt
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from telegram import Chat, Update, User
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.adapters.telegram import callbacks as cb
from bot.adapters.telegram import render
from bot.adapters.telegram.app import file_url
from bot.adapters.telegram.failures import delivery_error, retry_seconds
from bot.adapters.telegram.formatting import (
    TEXT_LIMIT,
    markdown_html,
    pack,
    user_text,
    visible_length,
)
from bot.adapters.telegram.processing import order_key
from bot.content.bank import load_bank
from bot.domain.models import AnswerKind, ChatKey, UserKey, Verdict
from bot.domain.views import ChannelReveal, QuestionView, ScoreLine
from bot.errors import ChatUnavailable, DeliveryError, RateLimited
from bot.services.results import AnswerResult, RevealResult, StreakView
from tests.adapters.telegram.fake_api import parse_html

LONG_ANSWER = "\n\n".join(
    f"Paragraph {n} about <tensors> & `code {n}` with **bold** and $\\frac{{1}}{{1-p}}$ maths. "
    + "word " * 60
    + ("\n\n```python\n" + "\n".join(f"x{i} = {i} < {i + 1}" for i in range(40)) + "\n```")
    for n in range(12)
)


def entities_of(markup: str) -> list[dict[str, object]]:
    """Telegram's parse of the HTML (raises like Telegram on malformed markup)."""
    return parse_html(markup)[1]


def test_markdown_becomes_telegram_html() -> None:
    html = markdown_html(
        "# Title\nSome **bold**, *it*, `a<b`, <script>alert(1)</script> & "
        "[docs](https://example.com/?a=1&b=2).\n\n- one\n- two\n  1. nested\n\n"
        "```python\nif a < b:\n    pass\n```\n\n> quoted"
    )
    text, entities = parse_html(html)
    assert "<script>alert(1)</script> &" in text  # raw HTML is shown, never interpreted
    assert "• one\n• two\n  1. nested" in text
    kinds = {e["type"] for e in entities}
    assert {"bold", "italic", "code", "text_link", "pre", "blockquote"} <= kinds
    pre = next(e for e in entities if e["type"] == "pre")
    assert pre["language"] == "python"
    assert '<pre><code class="language-python">if a &lt; b:' in html


def test_maths_is_readable_and_spoiler_text_has_no_code() -> None:
    assert markdown_html("Scale by $\\frac{1}{1-p}$.") == "Scale by 1/(1-p)."
    plain = markdown_html("Use `nn.Dropout(p)`:\n\n```python\nx = 1\n```", code=False)
    assert "<code>" not in plain and "<pre>" not in plain
    assert parse_html(plain)[0] == "Use nn.Dropout(p):\n\nx = 1"


def test_user_text_is_escaped_and_cannot_mention() -> None:
    assert user_text("<b>@everyone</b> & co") == "&lt;b&gt;@\u200beveryone&lt;/b&gt; &amp; co"


def test_long_reveals_split_under_the_limit_with_balanced_tags() -> None:
    reveal = ChannelReveal(
        post_id=1, chat=ChatKey("telegram", "-1"), local_date=date(2024, 3, 4),
        item_id="dl/q1", question="Why <dropout>?", short_answer="Because.",
        answer=LONG_ANSWER, answered=2,
        top=(ScoreLine(UserKey("telegram", "1"), "<Ann>", Verdict.CORRECT, 1.0, 10),),
        first=True,
    )
    parts = render.channel_reveal(reveal)
    assert len(parts) > 2
    for part in parts:
        text, _ = parse_html(part)
        assert 0 < len(text.encode("utf-16-le")) // 2 <= TEXT_LIMIT
    assert "🥇 &lt;Ann&gt; — ✅ Correct, 10 points" in parts[-1]
    assert parse_html(parts[0])[0].startswith("⏰ Answer to the question of Mon 4 Mar 2024")


def test_group_reveal_parts_are_spoilers_without_code() -> None:
    result = RevealResult(
        item_id="dl/q1", kind=AnswerKind.DAILY, stage=2, question="Q", short_answer="S",
        answer=LONG_ANSWER, key_points=("Uses `alpha`.",), answered=False,
        points_forfeited=True,
    )
    parts = render.reveal(result, name="Bob")
    assert len(parts) > 1
    for part in parts:
        entities = entities_of(part)
        assert visible_length(part) <= TEXT_LIMIT
        assert {e["type"] for e in entities} <= {"bold", "italic", "spoiler"}
        assert any(e["type"] == "spoiler" for e in entities)


def test_pack_joins_small_blocks_and_cuts_oversized_ones() -> None:
    assert pack(["<b>a</b>", "b"]) == ["<b>a</b>\n\nb"]
    huge = "<b>" + "x" * 5000 + "</b>"
    parts = pack([huge])
    assert len(parts) == 2 and all(visible_length(p) <= TEXT_LIMIT for p in parts)


def test_feedback_in_a_group_hides_the_verdict() -> None:
    result = AnswerResult(
        item_id="dl/q1", kind=AnswerKind.DAILY, verdict=Verdict.PARTIAL, score=0.5,
        covered=("Uses `alpha`.",), missed=("Uses <beta>.",), misconceptions=(), points=5,
        counted=True, forfeited=False, capped=False, short_answer="S",
        correct_option=None, streak=StreakView(2, 3, 0, True),
        contradicted=("Off at <inference>.",), notes=("Explain it in sentences.",),
    )
    [group] = render.feedback(result, name="<Bob>")
    text, entities = parse_html(group)
    spoiler = next(e for e in entities if e["type"] == "spoiler")
    hidden = text[spoiler["offset"] : spoiler["offset"] + spoiler["length"]]
    assert text.startswith("<Bob>, your result:")
    assert "Partly right" in hidden and "✗ Uses <beta>." in hidden and "+5 points" in hidden
    assert "Partly right" not in text.replace(hidden, "")
    assert "You said the opposite: Off at <inference>." in hidden
    assert "Explain it in sentences." in hidden
    [private] = render.feedback(result)
    assert "<code>alpha</code>" in private


def test_callback_data_round_trips_and_stays_under_64_bytes() -> None:
    buttons: list[cb.Button] = [
        cb.DailyButton(123456789, "r"),
        cb.DailyButton(5, "12"),
        cb.QuizButton(9_999_999_999, 20, "9007199254740991", "s"),
        cb.ReviewButton(cb.item_key("some-deck/a-rather-long-item-identifier-slug"),
                        "9007199254740991", "3"),
        cb.RateButton(cb.item_key("x"), "42", 4),
        cb.NextReviewButton("42"),
        cb.ForgetButton("42", "a1b2c3"),
    ]
    for button in buttons:
        data = cb.encode(button)
        assert len(data.encode()) <= cb.DATA_LIMIT
        assert cb.decode(data) == button
    assert cb.decode("zz:1") is None and cb.decode("d:x:r") is None and cb.decode(None) is None
    with pytest.raises(ValueError, match="over 64 bytes"):
        cb.encode(cb.ForgetButton("1" * 40, "2" * 40))
    keys = cb.ItemKeys(["a/b", "c/d"])
    assert keys.item_id(keys.key("c/d")) == "c/d" and len(keys.key("a/b")) == 8


@pytest.mark.parametrize("timedelta_mode", [False, True])
def test_retry_after_in_both_ptb_modes(
    timedelta_mode: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if timedelta_mode:
        monkeypatch.setenv("PTB_TIMEDELTA", "1")
    else:
        monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        error = RetryAfter(dt.timedelta(seconds=7))
        assert retry_seconds(error) == 7.0  # reading it never warns, in either mode
    # PTB itself warns about int seconds unless PTB_TIMEDELTA is set; we handle both.
    assert bool(caught) is not timedelta_mode
    assert retry_seconds(error) == 7.0
    mapped = delivery_error(error)
    assert isinstance(mapped, RateLimited) and mapped.retry_after == 7.0


def test_platform_errors_map_to_core_errors() -> None:
    assert isinstance(delivery_error(Forbidden("Forbidden: bot was blocked")), ChatUnavailable)
    assert isinstance(delivery_error(BadRequest("Chat not found")), ChatUnavailable)
    assert isinstance(
        delivery_error(BadRequest("Not enough rights to send text messages")), ChatUnavailable
    )
    other = delivery_error(BadRequest("Message is too long"))
    assert type(other) is DeliveryError
    assert type(delivery_error(NetworkError("reset"))) is DeliveryError


def test_updates_are_ordered_by_chat_then_user() -> None:
    user = User(7, "A", False)
    chat = Chat(-5, "group")
    message_update = Update.de_json(
        {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": chat.to_dict(),
                                     "from": user.to_dict(), "text": "x"}},
        None,
    )
    vote = Update.de_json(
        {"update_id": 2, "poll_answer": {"poll_id": "p", "user": user.to_dict(),
                                         "option_ids": [0], "option_persistent_ids": ["0"]}},
        None,
    )
    press = Update.de_json(
        {"update_id": 3, "callback_query": {"id": "q", "from": user.to_dict(), "data": "d:1:r",
                                            "chat_instance": "i", "message": {
                                                "message_id": 2, "date": 0, "chat": chat.to_dict(),
                                                "text": "question"}}},
        None,
    )
    assert order_key(message_update) == ("chat", -5) and order_key(vote) == ("chat", 7)
    assert order_key(press) == ("press", 7)  # never behind the group's queued replies
    assert order_key("x") is None


def test_file_url_and_dates() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot/") == "http://127.0.0.1:8081/file/bot"
    assert render.when(datetime(2024, 3, 5, 9, 30, tzinfo=UTC)) == "Tue 5 Mar 09:30 UTC"


def test_every_shipped_item_renders_as_valid_telegram_html() -> None:
    """The real decks (code, maths, lists) parse like Telegram parses them, within limits."""
    shipped = load_bank(Path(__file__).resolve().parents[3] / "content")
    assert shipped.items
    for item in shipped.items.values():
        options = tuple(o.text for o in item.options or ())
        view = QuestionView(item.id, AnswerKind.DAILY, item.type, item.question, options,
                            tuple(item.tags), item.difficulty.value)
        reveal = ChannelReveal(1, ChatKey("telegram", "-1"), date(2024, 3, 4), item.id,
                               item.question, item.short_answer, item.answer, 0, (), True)
        personal = RevealResult(item.id, AnswerKind.DAILY, 2, item.question, item.short_answer,
                                item.answer, tuple(k.text for k in item.key_points), False, True)
        parts = [
            *render.question(view, "<b>Q</b>"),
            *render.channel_reveal(reveal),
            *render.reveal(personal),
            *render.reveal(personal, name="Bob"),
        ]
        for part in parts:
            text, _ = parse_html(part)  # raises on markup Telegram would refuse
            assert 0 < len(text.encode("utf-16-le")) // 2 <= TEXT_LIMIT, item.id
