"""Console, Telegram and Discord show the same words for the same result: each renderer
only adds markup (emoji, markers, bold) around the shared wording."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime

import discord
from rich.console import Console

from bot.adapters.console import render as console
from bot.adapters.discord import render as discord_render
from bot.adapters.telegram import render as telegram
from bot.domain.leaderboard import Period
from bot.domain.models import AnswerKind, GroupKey, UserKey, Verdict
from bot.services.results import (
    AnswerResult,
    ItemRef,
    LeaderboardRow,
    LeaderboardView,
    QuizSummary,
    RevealResult,
    StatsView,
    StreakView,
    TagStat,
)

STREAK = StreakView(current=7, best=9, freezes=1, answered_today=True)
ANSWER = AnswerResult(
    item_id="dl/q01",
    kind=AnswerKind.QUIZ,
    verdict=Verdict.PARTIAL,
    score=0.5,
    covered=("Scales activations at training time.",),
    missed=("Is off at inference.",),
    misconceptions=("Dropout removes weights.",),
    points=5,
    counted=True,
    forfeited=False,
    capped=False,
    short_answer="Random zeroing.",
    correct_option=None,
    streak=STREAK,
    notes=("Explain it in sentences.",),
    freeze_earned=True,
    contradicted=("Active at inference.",),
)
SUMMARY = QuizSummary(
    session_id=1, topic="dl", difficulty=None, total=3, correct=1, partial=1, incorrect=1,
    skipped=0, unanswered=0, points=16, stopped=False,
    to_review=(ItemRef("dl/q02", "What is batch norm?"),),
)
ALICE, BOB = UserKey("telegram", "1"), UserKey("telegram", "2")
BOARD = LeaderboardView(
    group=GroupKey("telegram", "-1"), period=Period.MONTH, timezone="UTC",
    start=datetime(2024, 3, 1, tzinfo=UTC), end=None,
    rows=(LeaderboardRow(1, ALICE, "Alice", 30, 3, 1.0, 3),),
    caller=LeaderboardRow(4, BOB, "Bob", 2, 2, 0.0, 1), caller_opted_out=False,
)
STATS = StatsView(
    user=ALICE, answered=12, accuracy=0.75, by_tag=(TagStat("cnn", 4, 0.5),), streak=STREAK,
    due_reviews=2, points_week=40, timezone="Europe/Berlin",
)
REVEAL = RevealResult(
    item_id="dl/q01", kind=AnswerKind.DAILY, stage=2, question="What is dropout?",
    short_answer="Random zeroing.", answer="Units are zeroed at random while training.",
    key_points=("Scales activations.", "Off at inference."), answered=False,
    points_forfeited=True,
)
# Command references are written per platform (`/rate again|hard|good|easy`, a button).
COMMAND = re.compile(r"/[\w-]+(?:\s+(?:\[\w+\]|\w+(?:\|\w+)+|\w+:\S+))*")
MEDALS = {"🥇": "1.", "🥈": "2.", "🥉": "3."}


def words(text: str) -> list[str]:
    for medal, rank in MEDALS.items():  # Telegram's medals are markup for the rank
        text = text.replace(medal, rank)
    return re.findall(r"\w+", COMMAND.sub(" ", text).lower())


def from_console(*renderables: object) -> list[str]:
    out = Console(file=io.StringIO(), record=True, width=300, color_system=None)
    for renderable in renderables:
        out.print(renderable)
    return words(out.export_text())


def from_telegram(parts: list[str] | str) -> list[str]:
    text = "\n".join([parts] if isinstance(parts, str) else parts)
    return words(html.unescape(re.sub(r"<[^>]+>", "", text)))


def from_discord(*embeds: discord.Embed, footer: bool = True) -> list[str]:
    text = []
    for embed in embeds:
        text += [embed.title or "", embed.description or ""]
        if footer and embed.footer.text:
            text.append(embed.footer.text)
    return words("\n".join(text))


def same(console_words: list[str], telegram_words: list[str], discord_words: list[str]) -> None:
    assert console_words == telegram_words == discord_words, (
        f"console:  {' '.join(console_words)}\n"
        f"telegram: {' '.join(telegram_words)}\n"
        f"discord:  {' '.join(discord_words)}"
    )


def test_feedback_reads_the_same_everywhere() -> None:
    plain = from_console(console.feedback(ANSWER))
    assert "incorrect" not in plain and "partly" in plain and "opposite" in plain
    assert "freeze" in plain and "rate" in plain
    same(plain, from_telegram(telegram.feedback(ANSWER)),
         from_discord(*discord_render.feedback_embeds(ANSWER)))


def test_incorrect_is_incorrect_everywhere() -> None:
    from dataclasses import replace

    wrong = replace(ANSWER, verdict=Verdict.INCORRECT, covered=(), points=1)
    plain = from_console(console.feedback(wrong))
    assert plain[:1] == ["incorrect"]
    same(plain, from_telegram(telegram.feedback(wrong)),
         from_discord(*discord_render.feedback_embeds(wrong)))


def test_quiz_summary_reads_the_same_everywhere() -> None:
    plain = from_console(console.summary(SUMMARY))
    assert "incorrect" in plain and "wrong" not in plain
    same(plain, from_telegram(telegram.summary(SUMMARY)),
         from_discord(discord_render.summary_embed(SUMMARY)))


def test_leaderboard_reads_the_same_everywhere() -> None:
    plain = from_console(console.leaderboard(BOARD))
    assert plain[:3] == ["leaderboard", "this", "month"]
    same(plain, from_telegram(telegram.leaderboard(BOARD)),
         from_discord(discord_render.leaderboard_embed(BOARD)))


def test_stats_read_the_same_everywhere() -> None:
    plain = from_console(console.stats(STATS))
    same(plain, from_telegram(telegram.stats(STATS)),
         from_discord(discord_render.stats_embed(STATS)))


def test_reveal_reads_the_same_everywhere() -> None:
    plain = from_console(*console.reveal(REVEAL))
    assert "key" in plain and "revealed" in plain
    # Discord's embed title ("Answer") and footer (the question id) are its chrome.
    embeds = discord_render.reveal_embeds(REVEAL)
    discord_words = words("\n".join(e.description or "" for e in embeds))
    same(plain, from_telegram(telegram.reveal(REVEAL)), discord_words)
