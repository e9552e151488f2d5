"""Handler-level tests of the Discord rendering, custom ids and autocomplete helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import discord
import pytest

from bot.adapters.discord import choices, render
from bot.adapters.discord.views import (
    BUTTON_KINDS,
    DailyOption,
    ForgetCancel,
    PrepButton,
    QuizOption,
    QuizStop,
    Rate,
    ReviewShow,
    StaleButton,
    answer_modal,
    daily_view,
    make_view,
    modal_text,
    parse_modal_id,
    quiz_view,
)
from bot.content.schema import ItemType
from bot.domain.models import AnswerKind, ChatKey, UserKey, Verdict
from bot.domain.views import ChannelReveal, DailyQuestion, QuestionView, ScoreLine
from bot.presentation.wording import verdict_label
from bot.services.results import AnswerResult, RevealResult, StreakView, TopicInfo

LONG = "\n\n".join(f"Paragraph {n}: " + "word " * 150 for n in range(40))  # ~30k characters
STREAK = StreakView(3, 5, 1, True)


MATHS = "What is $\\frac{1}{1-p}$?"


def question(options: tuple[str, ...] = (), text: str = MATHS) -> QuestionView:
    return QuestionView(
        item_id="dl/q01",
        kind=AnswerKind.DAILY,
        type=ItemType.MCQ if options else ItemType.OPEN,
        question=text,
        options=options,
        tags=("regularization",),
        difficulty="medium",
    )


def daily(view: QuestionView) -> DailyQuestion:
    return DailyQuestion(
        post_id=42,
        chat=ChatKey("discord", "1"),
        local_date=date(2024, 3, 4),
        posted_at=datetime(2024, 3, 4, 9, tzinfo=UTC),
        reveal_at=datetime(2024, 3, 5, 9, tzinfo=UTC),
        question=view,
        created=True,
    )


def within_limits(embeds: list[discord.Embed]) -> None:
    for embed in embeds:
        assert len(embed.description or "") <= render.DESCRIPTION_LIMIT
        assert len(embed.title or "") <= render.TITLE_LIMIT
    for group in render.pack(embeds):
        assert 1 <= len(group) <= render.MAX_EMBEDS
        assert sum(len(e) for e in group) <= render.MESSAGE_EMBED_LIMIT


def test_question_embed_maths_mentions_and_reveal_time() -> None:
    view = question(("Right @everyone", "<@123456789012345678> wrong"))
    embed = render.daily_embed(daily(view))
    assert embed.description is not None
    assert "1/(1-p)" in embed.description and "$" not in embed.description
    assert "@everyone" not in embed.description and "<@123" not in embed.description
    assert "**A)** Right @\u200beveryone" in embed.description
    fields = {f.name: f.value for f in embed.fields}
    reveal_at = int(datetime(2024, 3, 5, 9, tzinfo=UTC).timestamp())
    assert fields["Answer revealed"] == f"<t:{reveal_at}:R>"
    assert fields["Difficulty"] == "medium" and fields["Topics"] == "regularization"
    assert embed.footer.text is not None and "dl/q01" in embed.footer.text


def test_long_reveal_is_split_within_limits() -> None:
    result = RevealResult(
        item_id="dl/q01", kind=AnswerKind.DAILY, stage=2, question="Q?", short_answer="Short.",
        answer=LONG, key_points=("one", "two"), answered=False, points_forfeited=True,
    )
    embeds = render.reveal_embeds(result)
    assert len(embeds) > 7 and embeds[0].title == "Answer"
    within_limits(embeds)
    assert len(render.pack(embeds)) > 1
    joined = "".join(e.description or "" for e in embeds)
    assert "Paragraph 39" in joined and "• two" in joined


def test_channel_reveal_escapes_names() -> None:
    reveal = ChannelReveal(
        post_id=1, chat=ChatKey("discord", "1"), local_date=date(2024, 3, 4), item_id="dl/q01",
        question="Q?", short_answer="S.", answer=LONG, answered=2,
        top=(ScoreLine(UserKey("discord", "1"), "**bold** @here", Verdict.CORRECT, 1.0, 10),),
        first=True,
    )
    embeds = render.channel_reveal_embeds(reveal)
    within_limits(embeds)
    last = embeds[-1].description or ""
    assert "1. \\*\\*bold\\*\\* @\u200bhere — ✅ Correct" in last


@pytest.mark.parametrize(
    ("verdict", "counted", "forfeited", "expected"),
    [
        (Verdict.CORRECT, True, False, "**+10 points**"),
        (Verdict.PARTIAL, False, False, "Already answered"),
        (Verdict.INCORRECT, True, True, "no points"),
    ],
)
def test_feedback(verdict: Verdict, counted: bool, forfeited: bool, expected: str) -> None:
    result = AnswerResult(
        item_id="dl/q01", kind=AnswerKind.DAILY, verdict=verdict, score=0.5,
        covered=("Uses $\\alpha$.",), missed=("Uses beta.",), misconceptions=("Myth.",),
        points=10, counted=counted, forfeited=forfeited, capped=False, short_answer="S.",
        correct_option="Right option", streak=STREAK, notes=("Too short.",),
        contradicted=("Off at inference.",),
    )
    (embed,) = render.feedback_embeds(result)
    assert embed.title == f"{render.VERDICT_EMOJI[verdict]} {verdict_label(verdict)} · score 50%"
    assert embed.colour == render.VERDICT_COLOUR[verdict]
    text = embed.description or ""
    assert expected in text and "✔️ Uses α." in text and "✖️ Uses beta." in text
    assert "Right answer: **Right option**" in text and "Streak: **3**" in text
    assert "You said the opposite: Off at inference." in text and "Not quite: Myth." in text


def test_safe_and_text_parts() -> None:
    assert render.safe("*hi* @everyone <@12345678901234567>") == (
        "\\*hi\\* @\u200beveryone <@\u200b12345678901234567>"
    )
    parts = render.text_parts("line\n" * 1000)
    assert len(parts) == 3 and all(len(p) <= render.CONTENT_LIMIT for p in parts)


def test_custom_ids_and_views() -> None:
    view = daily_view(daily(question(("a", "b", "c", "d"))))
    ids = [item.custom_id for item in view.children if isinstance(item, PrepButton)]
    assert ids == [f"prepbot:opt:42:{n}" for n in (1, 2, 3, 4)] + ["prepbot:show:42"]
    quiz = quiz_view(7, QuestionView(**{**question().__dict__, "position": 2, "total": 5}))
    ids = [item.custom_id for item in quiz.children if isinstance(item, PrepButton)]
    assert ids == ["prepbot:qans:7:2", "prepbot:qshow:7:2", "prepbot:qskip:7:2", "prepbot:qstop:7"]
    assert Rate.__discord_ui_compiled_template__.fullmatch("prepbot:rate:dl/q01:good")
    too_long = Rate("x" * 120, "good", label="Good")
    assert make_view([too_long]).children == []


def kinds_matching(custom_id: str) -> list[type[PrepButton]]:
    return [k for k in BUTTON_KINDS if k.__discord_ui_compiled_template__.fullmatch(custom_id)]


async def parsed(custom_id: str) -> PrepButton:
    """The button discord.py builds for a click on `custom_id` (one kind must claim it)."""
    (kind,) = kinds_matching(custom_id)
    match = kind.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None
    item: discord.ui.Button[discord.ui.View] = discord.ui.Button(label="B", custom_id=custom_id)
    return await kind.from_custom_id(None, item, match)  # type: ignore[arg-type]


# Custom ids as the one string-keyed button made them before each kind had its own class;
# messages carrying them are still out there.
OLD_IDS: dict[str, tuple[str, dict[str, object]]] = {
    "prepbot:ans:42": ("DailyAnswer", {"post_id": 42}),
    "prepbot:opt:42:3": ("DailyOption", {"post_id": 42, "option": 3}),
    "prepbot:show:42": ("DailyShow", {"post_id": 42}),
    "prepbot:rev": ("RevealCurrent", {}),
    "prepbot:qans:7:2": ("QuizAnswer", {"session_id": 7, "position": 2}),
    "prepbot:qopt:7:2:1": ("QuizOption", {"session_id": 7, "position": 2, "option": 1}),
    "prepbot:qshow:7:2": ("QuizShow", {"session_id": 7, "position": 2}),
    "prepbot:qskip:7:2": ("QuizSkip", {"session_id": 7, "position": 2}),
    "prepbot:qstop:7": ("QuizStop", {"session_id": 7}),
    "prepbot:rans:cards/bn": ("ReviewAnswer", {"item_id": "cards/bn"}),
    "prepbot:ropt:cards/bn:2": ("ReviewOption", {"item_id": "cards/bn", "option": 2}),
    "prepbot:rshow:cards/bn": ("ReviewShow", {"item_id": "cards/bn"}),
    "prepbot:rnext": ("NextCard", {}),
    "prepbot:rate:dl/q01:good": ("Rate", {"item_id": "dl/q01", "rating": "good"}),
    "prepbot:forget:ab12cd": ("ForgetConfirm", {"code": "ab12cd"}),
    "prepbot:keep": ("ForgetCancel", {}),
    "prepbot:ians:4:2": ("InterviewAnswer", {"session_id": 4, "position": 2}),
}


@pytest.mark.parametrize("custom_id", OLD_IDS, ids=str)
async def test_old_custom_ids_parse_into_typed_buttons(custom_id: str) -> None:
    kind, fields = OLD_IDS[custom_id]
    button = await parsed(custom_id)
    assert type(button).__name__ == kind
    assert {name: getattr(button, name) for name in fields} == fields
    assert button.custom_id == custom_id  # and it would make the same id today


def test_every_kind_is_covered_and_ids_round_trip() -> None:
    assert {k.__name__ for k in BUTTON_KINDS} == {kind for kind, _ in OLD_IDS.values()} | {
        "StaleButton"
    }
    made = [
        DailyOption(5, 2, label="B"),
        QuizOption(9, 3, 4, label="D"),
        QuizStop(9, label="Stop"),
        ReviewShow("dl/q01", label="Show answer"),
        ForgetCancel(label="Cancel"),
    ]
    for button in made:
        assert kinds_matching(button.custom_id) == [type(button)]


@pytest.mark.parametrize(
    "custom_id", ["prepbot:nosuch:1", "prepbot:opt:abc:1", "prepbot:opt:²:1", "prepbot:qstop:"]
)
async def test_unknown_or_mangled_ids_are_stale(custom_id: str) -> None:
    button = await parsed(custom_id)
    assert isinstance(button, StaleButton) and button.custom_id == custom_id


async def test_modal_ids_and_text() -> None:
    modal = answer_modal("q", 7, 2)
    assert modal.custom_id == "prepbot-modal:q:7:2" and modal.is_finished()
    assert parse_modal_id("prepbot-modal:q:7:2") == ("q", "7:2")
    assert parse_modal_id("prepbot-modal:a") == ("a", "")
    assert parse_modal_id("someone-else:a") is None
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "hi"}]}]
    labels = [{"type": 18, "component": {"type": 4, "custom_id": "answer", "value": "yo"}}]
    assert modal_text(rows) == "hi" and modal_text(labels) == "yo" and modal_text([]) == ""


def test_autocomplete_helpers() -> None:
    topics = [
        TopicInfo("regularization", "tag", 7, ""),
        TopicInfo("cnn", "tag", 3, ""),
        TopicInfo("dl", "deck", 6, "Deep learning"),
    ]
    assert [c.value for c in choices.topic_choices(topics, "")] == ["regularization", "cnn", "dl"]
    assert [c.value for c in choices.topic_choices(topics, "n")] == ["regularization", "cnn"]
    assert choices.topic_choices(topics, "c")[0].name == "cnn (tag, 3)"
    listed = [c.value for c in choices.topic_list_choices(topics, "cnn, ")]
    assert listed == ["cnn, regularization", "cnn, dl"]  # cnn is not offered twice
    assert len(choices.timezone_choices("a")) == choices.MAX_CHOICES
    assert choices.timezone_choices("new york")[0].value == "America/New_York"
    assert choices.weekday_choices("tue,th")[0].value == "tue,thu"
    assert choices.weekday_choices("fri,sat")[0].value == "fri,sat"  # typed text is kept
    assert [c.value for c in choices.item_choices(["dl/q01", "x/dl"], "dl")] == ["dl/q01", "x/dl"]
