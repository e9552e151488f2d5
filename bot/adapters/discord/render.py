"""Service results as Discord embeds: escaped, mention-free, maths readable, within limits.

Two kinds of text reach Discord: question-bank text (our own markdown: maths is made
readable and mentions inert, formatting kept) and user text (names, typed input: markdown
escaped and mentions inert). Every send also passes `NO_MENTIONS`, so nothing can ping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import discord
from discord.utils import escape_markdown, escape_mentions, format_dt

from bot.domain.choices import LETTERS
from bot.domain.models import AnswerKind, Verdict
from bot.domain.views import ChannelReveal, DailyQuestion, QuestionView
from bot.render import defuse_mentions, noun, points_outcome, render_math, split_message
from bot.services.results import (
    AnswerResult,
    ForgetRequest,
    LeaderboardRow,
    LeaderboardView,
    QuizSummary,
    RatingResult,
    RevealResult,
    ReviewPrompt,
    ScheduleView,
    StatsView,
    StreakView,
    TimezoneResult,
    TopicInfo,
)

NO_MENTIONS = discord.AllowedMentions.none()
CONTENT_LIMIT = 2000
DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
FIELD_LIMIT = 1024
FOOTER_LIMIT = 2048
MESSAGE_EMBED_LIMIT = 6000
MAX_EMBEDS = 10

BLURPLE = discord.Colour.blurple()
VERDICT_COLOUR = {
    Verdict.CORRECT: discord.Colour.green(),
    Verdict.PARTIAL: discord.Colour.gold(),
    Verdict.INCORRECT: discord.Colour.red(),
}
VERDICT_LABEL = {
    Verdict.CORRECT: "✅ Correct",
    Verdict.PARTIAL: "🟡 Partly right",
    Verdict.INCORRECT: "❌ Not quite",
}


def safe(text: str) -> str:
    """User text: mentions inert and markdown shown literally."""
    return escape_markdown(escape_mentions(text))


def content(text: str) -> str:
    """Question-bank markdown: maths readable, mentions inert, formatting kept."""
    return defuse_mentions(render_math(text))


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def relative(when: datetime) -> str:
    """A Discord timestamp each reader sees in their own locale (`in 3 hours`)."""
    return format_dt(when, "R")


def pages(
    title: str,
    body: str,
    *,
    colour: discord.Colour = BLURPLE,
    footer: str | None = None,
) -> list[discord.Embed]:
    """One embed per 4096-character part of `body`; the title on the first, footer on the last."""
    parts = split_message(body, DESCRIPTION_LIMIT) if body.strip() else [""]
    embeds = [discord.Embed(description=part or None, colour=colour) for part in parts]
    embeds[0].title = clip(title, TITLE_LIMIT)
    if footer:
        embeds[-1].set_footer(text=clip(footer, FOOTER_LIMIT))
    return embeds


def pack(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages: at most 10 and 6000 characters per message."""
    groups: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        length = len(embed)
        if not groups or len(groups[-1]) == MAX_EMBEDS or size + length > MESSAGE_EMBED_LIMIT:
            groups.append([])
            size = 0
        groups[-1].append(embed)
        size += length
    return groups


def text_parts(text: str) -> list[str]:
    """Plain message content split under Discord's 2000-character limit."""
    return split_message(text, CONTENT_LIMIT) or ["…"]


# --- questions --------------------------------------------------------------------------


def question_embed(
    view: QuestionView,
    heading: str,
    *,
    reveal_at: datetime | None = None,
    note: str | None = None,
) -> discord.Embed:
    """A question with its options, tags, difficulty and (for daily posts) the reveal time."""
    lines = [clip(content(view.question), 3000)]
    if view.options:
        lines.append("")
        lines += [
            f"**{LETTERS[index]})** {clip(content(option), 180)}"
            for index, option in enumerate(view.options[: len(LETTERS)])
        ]
    if note:
        lines += ["", note]
    where = f" · {view.position}/{view.total}" if view.position and view.total else ""
    embed = discord.Embed(
        title=clip(heading + where, TITLE_LIMIT),
        description="\n".join(lines),
        colour=BLURPLE,
    )
    if view.tags:
        embed.add_field(name="Topics", value=clip(", ".join(view.tags), FIELD_LIMIT))
    embed.add_field(name="Difficulty", value=view.difficulty)
    if reveal_at is not None:
        embed.add_field(name="Answer revealed", value=relative(reveal_at))
    how = "Pick an option below" if view.options else "Press Answer to reply"
    embed.set_footer(text=f"{how} · question {view.item_id}")
    return embed


def daily_embed(daily: DailyQuestion) -> discord.Embed:
    """The channel's daily question."""
    heading = f"Question of the day · {daily.local_date:%a %d %b %Y}"
    return question_embed(daily.question, heading, reveal_at=daily.reveal_at)


def quiz_embed(view: QuestionView, *, note: str | None = None) -> discord.Embed:
    return question_embed(view, "Quiz", note=note)


def review_embed(view: QuestionView, due: int) -> discord.Embed:
    return question_embed(view, f"Review · {due} due")


# --- answers and reveals ------------------------------------------------------------------


def streak_text(view: StreakView) -> str:
    today = "answered today" if view.answered_today else "not answered today yet"
    freezes = f", {view.freezes} {noun(view.freezes, 'freeze')}" if view.freezes else ""
    days = noun(view.current, "day")
    return f"🔥 Streak: **{view.current}** {days} (best {view.best}{freezes}; {today})"


def feedback_embeds(result: AnswerResult) -> list[discord.Embed]:
    """Verdict, key points covered and missed, points and streak."""
    lines: list[str] = []
    lines += [f"✔️ {content(point)}" for point in result.covered]
    lines += [f"✖️ {content(point)}" for point in result.missed]
    lines += [f"⚠️ You said the opposite: {content(point)}" for point in result.contradicted]
    lines += [f"⚠️ Not quite: {content(claim)}" for claim in result.misconceptions]
    lines += [f"ℹ️ {content(note)}" for note in result.notes]
    if result.chosen_option is not None and result.verdict is not Verdict.CORRECT:
        lines.append(f"You chose: {content(result.chosen_option)}")
    if result.why:
        lines.append(f"Why: {content(result.why)}")
    if result.correct_option:
        lines.append(f"Right answer: **{content(result.correct_option)}**")
    lines.append("")
    outcome, earned = points_outcome(result)
    lines.append(f"**{outcome}**" if earned else outcome)
    lines.append(streak_text(result.streak))
    title = f"{VERDICT_LABEL[result.verdict]} · score {result.score:.0%}"
    return pages(
        title,
        "\n".join(lines),
        colour=VERDICT_COLOUR[result.verdict],
        footer="Rate how well you knew it to schedule a review",
    )


def reveal_embeds(result: RevealResult) -> list[discord.Embed]:
    """Short answer first; the full answer and key points on the second request."""
    lines = [f"**Short answer:** {content(result.short_answer)}"]
    if result.full:
        lines += ["", content(result.answer)]
        if result.key_points:
            lines += ["", "**Key points**"]
            lines += [f"• {content(point)}" for point in result.key_points]
    else:
        lines += ["", "Press **Full answer** for the reference answer."]
    if result.points_forfeited and result.kind is not AnswerKind.REVIEW:
        lines += ["", "Revealed before answering: an answer now earns no points."]
    return pages("Answer", "\n".join(lines), footer=f"question {result.item_id}")


def channel_reveal_embeds(reveal: ChannelReveal) -> list[discord.Embed]:
    """The scheduled channel reveal: reference answer, how many answered, the best answers."""
    lines = [
        f"**Question:** {content(reveal.question)}",
        "",
        f"**Short answer:** {content(reveal.short_answer)}",
        "",
        content(reveal.answer),
        "",
        f"**{reveal.answered}** member(s) answered.",
    ]
    if reveal.top:
        lines += ["", "**Best answers**"]
        lines += [
            f"{rank}. {safe(line.display_name)} · {line.verdict.value} ({line.score:.0%})"
            for rank, line in enumerate(reveal.top, start=1)
        ]
    heading = f"Answer · question of {reveal.local_date:%a %d %b %Y}"
    return pages(heading, "\n".join(lines), footer=f"question {reveal.item_id}")


def summary_embed(summary: QuizSummary) -> discord.Embed:
    """The end of a quiz: counts, points and what to review."""
    state = "stopped" if summary.stopped else "finished"
    lines = [
        f"{summary.correct} correct, {summary.partial} partial, {summary.incorrect} incorrect, "
        f"{summary.skipped} skipped of {summary.total}: "
        f"**{summary.points}** {noun(summary.points, 'point')}."
    ]
    if summary.to_review:
        lines += ["", "**Worth reviewing**"]
        lines += [f"• {clip(content(ref.question), 200)}" for ref in summary.to_review[:10]]
    return discord.Embed(
        title=f"Quiz {state}", description="\n".join(lines), colour=BLURPLE
    )


def rating_text(result: RatingResult) -> str:
    return f"Rated **{result.rating}**: next review {relative(result.due)}."


def review_empty_text(prompt: ReviewPrompt) -> str:
    if prompt.next_due is None:
        return "No review cards yet: answer a few questions first (/quiz or /daily)."
    return f"No reviews due. The next card is due {relative(prompt.next_due)}."


# --- personal views -----------------------------------------------------------------------


def stats_embed(view: StatsView) -> discord.Embed:
    lines = [
        f"Answered **{view.answered}**, accuracy **{view.accuracy:.0%}**, "
        f"points this week **{view.points_week}**",
        streak_text(view.streak),
        f"Reviews due: **{view.due_reviews}** · time zone {safe(view.timezone)}",
    ]
    if view.by_tag:
        lines += ["", "**By topic**"]
        lines += [
            f"`{clip(tag.tag, 30)}` {tag.answered} answered, {tag.accuracy:.0%}"
            for tag in view.by_tag[:15]
        ]
    return discord.Embed(title="Your statistics", description="\n".join(lines), colour=BLURPLE)


def timezone_text(result: TimezoneResult) -> str:
    whose = "your own" if result.own else "following this channel's schedule"
    return f"Your time zone: **{safe(result.effective)}** ({whose})."


def leaderboard_embed(view: LeaderboardView) -> discord.Embed:
    """The server's top members, and the caller's own row if they are further down."""
    titles = {"week": "this week", "month": "this month", "all": "all time"}
    title = f"Leaderboard · {titles.get(view.period.value, view.period.value)}"
    lines = [_leader_line(row) for row in view.rows]
    if not lines:
        lines.append("No points yet: answer the daily question to get on the board.")
    caller = view.caller
    if caller is not None and all(row.user != caller.user for row in view.rows):
        lines += ["…", _leader_line(caller)]
    if view.caller_opted_out:
        lines += ["", "You are hidden from leaderboards (/leaderboard-optout hide:False)."]
    embed = discord.Embed(title=title, description="\n".join(lines), colour=BLURPLE)
    if view.start is not None:
        embed.set_footer(text=f"Since {view.start:%Y-%m-%d %H:%M} ({view.timezone})")
    return embed


def _leader_line(row: LeaderboardRow) -> str:
    name = safe(clip(row.display_name, 64))
    return f"**{row.rank}.** {name} · {row.points} pts · {row.accuracy:.0%} · 🔥{row.streak}"


def topics_embeds(topics: Iterable[TopicInfo]) -> list[discord.Embed]:
    lines = [
        f"`{topic.name}` · {topic.kind} · {topic.items} question(s)"
        + (f" · {clip(content(topic.description), 80)}" if topic.description else "")
        for topic in topics
    ]
    body = "\n".join(lines) or "No topics yet."
    return pages("Topics", body, footer="Use them in /quiz topic:… and /schedule set topics:…")


def schedule_embed(view: ScheduleView, heading: str) -> discord.Embed:
    """A channel's daily-question schedule."""
    topics = ", ".join(view.topics) if view.topics else "all topics"
    lines = [
        f"**Time:** {view.time} ({safe(view.timezone)})",
        f"**Days:** {view.weekdays}",
        f"**Topics:** {safe(topics)} ({view.pool_size} questions)",
        "**Reveal:** "
        + (f"after {view.reveal_delay_hours} h" if view.reveal_delay_hours else "off"),
        f"**Discussion thread:** {'on' if view.thread else 'off'}",
    ]
    if view.paused:
        lines.append("**Paused** (/schedule resume to continue)")
    elif view.next_post_utc is not None:
        lines.append(
            f"**Next post:** {format_dt(view.next_post_utc, 'F')} ({relative(view.next_post_utc)})"
        )
    return discord.Embed(title=heading, description="\n".join(lines), colour=BLURPLE)


def forget_embed(request: ForgetRequest) -> discord.Embed:
    return discord.Embed(
        title="Delete your data?",
        description=(
            "This deletes your answers, streaks, review cards, quiz sessions, reports and "
            "settings on every server. It cannot be undone.\n\n"
            f"Confirm {relative(request.expires_at)} at the latest."
        ),
        colour=discord.Colour.red(),
    )


HELP = """**Practice**
`/daily` today's question in this channel · `/answer` answer it (or your quiz question)
`/reveal` show the answer (twice: the full one) · `/quiz topic count difficulty` a personal quiz
`/review` your due review cards · `/topics` what you can practise
**You**
`/streak` · `/stats` · `/timezone zone` · `/leaderboard window` · `/leaderboard-optout`
`/report item reason` a problem with a question · `/forget` delete your data
**Admins (Manage Server)**
`/schedule set time timezone weekdays topics reveal_after_hours thread`
`/schedule show|pause|resume|off`
Buttons under each question answer it privately; nobody else sees your feedback."""


def help_embed() -> discord.Embed:
    return discord.Embed(title="prepbot", description=HELP, colour=BLURPLE)
