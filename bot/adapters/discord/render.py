"""Service results as Discord embeds: escaped, mention-free, maths readable, within limits.

Two kinds of text reach Discord: question-bank text (our own markdown: maths is made
readable and mentions inert, formatting kept) and user text (names, typed input: markdown
escaped and mentions inert). Every send also passes `NO_MENTIONS`, so nothing can ping.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime

import discord
from discord.utils import escape_markdown, escape_mentions, format_dt

from bot.domain.choices import LETTERS
from bot.domain.models import Report, Verdict
from bot.domain.views import ChannelReveal, DailyQuestion, QuestionView
from bot.errors import Command
from bot.presentation import discord_texts, wording
from bot.presentation.commands import command
from bot.presentation.markup import Mark, Markup
from bot.render import defuse_mentions, render_math, split_message
from bot.services.results import (
    AnswerResult,
    BrokenChat,
    ForgetRequest,
    LeaderboardView,
    QuizSummary,
    RatingResult,
    RevealResult,
    ReviewPrompt,
    ScheduleView,
    StatsCard,
    StatsView,
    StreakView,
    TimezoneResult,
    TopicInfo,
    WeekChart,
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
VERDICT_EMOJI = {Verdict.CORRECT: "✅", Verdict.PARTIAL: "🟡", Verdict.INCORRECT: "❌"}
MARKERS = {
    Mark.COVERED: "✔️",
    Mark.MISSED: "✖️",
    Mark.CONTRADICTED: "⚠️",
    Mark.MISCONCEPTION: "⚠️",
    Mark.NOTE: "ℹ️",
    Mark.ANSWER: "",
    Mark.ITEM: "•",
}
# Discord fills options in forms, so its command references differ from typed ones.
COMMANDS: dict[Command, str] = {
    Command.ANSWER: "/answer",
    Command.QUIZ_USAGE: "/quiz topic:<topic> count:<count> difficulty:<difficulty>",
    Command.REPORT: "/report item:<question id> reason:<reason>",
    Command.RATE: "/rate",
    Command.SCHEDULE: "/schedule set",
    Command.LEADERBOARD_OPTIN: "/leaderboard-optout hide:False",
    Command.INTERVIEW_USAGE: "/interview topic:<topic> questions:<questions> minutes:<minutes>",
    Command.INTERVIEW_STOP: "/interview-stop",
    Command.LEADERBOARD_CHART: "/leaderboard window:week chart:True",
}


class DiscordMarkup(Markup):
    """Discord markdown around the shared wording."""

    def user(self, text: str) -> str:
        return safe(text)

    def content(self, text: str) -> str:
        return content(text)

    def strong(self, marked: str) -> str:
        return f"**{marked}**"

    def code(self, text: str) -> str:
        return f"`{text}`"

    def mark(self, kind: Mark) -> str:
        return MARKERS[kind]

    def verdict(self, verdict: Verdict, label: str) -> str:
        return f"{VERDICT_EMOJI[verdict]} {label}"


M = DiscordMarkup()


def verdict_title(result: AnswerResult) -> str:
    """`✅ Correct · score 85%`: an embed title, so no markdown."""
    return wording.verdict_heading(result, M)


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
        embed.add_field(name=wording.topics_title(), value=clip(", ".join(view.tags), FIELD_LIMIT))
    embed.add_field(name=wording.difficulty_title(), value=view.difficulty)
    if reveal_at is not None:
        embed.add_field(name=wording.answer_revealed_title(), value=relative(reveal_at))
    how = wording.pick_an_option() if view.options else wording.press_answer()
    embed.set_footer(text=f"{how} · {question_ref(view.item_id)}")
    return embed


def daily_embed(daily: DailyQuestion) -> discord.Embed:
    """The channel's daily question."""
    heading = wording.question_of_the_day(f"{daily.local_date:%a %d %b %Y}")
    return question_embed(daily.question, heading, reveal_at=daily.reveal_at)


def quiz_embed(view: QuestionView, *, note: str | None = None) -> discord.Embed:
    return question_embed(view, wording.quiz_title(), note=note)


def review_embed(view: QuestionView, due: int) -> discord.Embed:
    return question_embed(view, wording.review_title(due))


# --- answers and reveals ------------------------------------------------------------------


def streak_text(view: StreakView) -> str:
    return f"🔥 {wording.streak(view, M)}"


def feedback_embeds(result: AnswerResult) -> list[discord.Embed]:
    """Verdict, key points covered and missed, points and streak."""
    lines = [
        *wording.feedback_lines(result, M),
        "",
        wording.outcome_line(result, M),
        streak_text(result.streak),
    ]
    return pages(
        verdict_title(result),
        "\n".join(lines),
        colour=VERDICT_COLOUR[result.verdict],
        footer=wording.rate_hint(),
    )


def reveal_embeds(result: RevealResult) -> list[discord.Embed]:
    """Short answer first; the full answer and key points on the second request."""
    if result.full:
        full = result.answer or result.short_answer
        lines = [M.strong(wording.full_answer_title()), content(full)]
        if result.key_points:
            lines += ["", M.strong(wording.key_points_title())]
            lines += [M.line(Mark.ITEM, content(point)) for point in result.key_points]
    else:
        lines = [M.strong(wording.short_answer_title()), content(result.short_answer)]
    button = M.strong(wording.full_answer_title())
    lines += ["", *wording.reveal_notes(result, button)]
    return pages(wording.answer_title(), "\n".join(lines), footer=question_ref(result.item_id))


def question_ref(item_id: str) -> str:
    return wording.question_ref(item_id)


def channel_reveal_embeds(reveal: ChannelReveal) -> list[discord.Embed]:
    """The scheduled channel reveal: reference answer, how many answered, the best answers."""
    lines = [
        f"**{content(reveal.question)}**",
        "",
        M.fill(wording.in_short(), answer=content(reveal.short_answer)),
        "",
        content(reveal.answer),
        "",
        wording.answered_count(reveal.answered),
    ]
    if reveal.top:
        lines += [""]
        lines += [
            f"{rank}. {wording.score_line(line, M)}"
            for rank, line in enumerate(reveal.top, start=1)
        ]
    heading = wording.channel_reveal_title(f"{reveal.local_date:%a %d %b %Y}")
    return pages(heading, "\n".join(lines), footer=question_ref(reveal.item_id))


def summary_embed(summary: QuizSummary) -> discord.Embed:
    """The end of a quiz: counts, points and what to review."""
    lines = wording.summary_lines(summary, M)
    return discord.Embed(
        title=wording.summary_title(summary), description="\n".join(lines), colour=BLURPLE
    )


def rating_text(result: RatingResult) -> str:
    return wording.rated(M, result.rating, relative(result.due))


def review_empty_text(prompt: ReviewPrompt) -> str:
    when = relative(prompt.next_due) if prompt.next_due else None
    return wording.no_reviews(when, quiz="/quiz", daily="/daily")


# --- personal views -----------------------------------------------------------------------


def stats_embed(view: StatsView, more: Sequence[str] = ()) -> discord.Embed:
    lines = [*wording.stats_lines(view, M, tags=15), *more]
    return discord.Embed(
        title=wording.stats_title(), description="\n".join(lines), colour=BLURPLE
    )


STATS_PICTURE = "stats.png"


def stats_card_embed(
    card: StatsCard, png: bytes | None
) -> tuple[discord.Embed, discord.File | None]:
    """The stats embed with the same numbers as the picture, and the picture attached."""
    embed = stats_embed(card.view, [wording.stats_card_line(card, M)])
    if png is None:
        return embed, None
    embed.set_image(url=f"attachment://{STATS_PICTURE}")
    return embed, discord.File(io.BytesIO(png), filename=STATS_PICTURE)


def timezone_text(result: TimezoneResult) -> str:
    return wording.timezone(result, M)


def leaderboard_embed(view: LeaderboardView) -> discord.Embed:
    """The server's top members, and the caller's own row if they are further down."""
    optin = command(Command.LEADERBOARD_OPTIN, COMMANDS)
    lines = wording.leaderboard_lines(view, M, optin)
    embed = discord.Embed(
        title=wording.leaderboard_title(view), description="\n".join(lines), colour=BLURPLE
    )
    if view.start is not None:
        embed.set_footer(text=wording.since(view, f"{view.start:%Y-%m-%d %H:%M}"))
    return embed


WEEK_PICTURE = "leaderboard.png"


def week_chart_embed(
    chart: WeekChart, png: bytes | None
) -> tuple[discord.Embed, discord.File | None]:
    """The week's board, and the picture of its points by day attached."""
    embed = leaderboard_embed(chart.board)
    if png is None:
        return embed, None
    embed.set_image(url=f"attachment://{WEEK_PICTURE}")
    return embed, discord.File(io.BytesIO(png), filename=WEEK_PICTURE)


def topics_embeds(topics: Iterable[TopicInfo]) -> list[discord.Embed]:
    lines = [
        f"`{topic.name}` · {topic.kind} · {wording.questions(topic.items)}"
        + (f" · {clip(content(topic.description), 80)}" if topic.description else "")
        for topic in topics
    ]
    body = "\n".join(lines) or wording.no_topics()
    hint = wording.topics_hint("/quiz topic:…", "/schedule set topics:…")
    return pages(wording.topics_title(), body, footer=hint)


def schedule_embed(view: ScheduleView, heading: str) -> discord.Embed:
    """A channel's daily-question schedule."""
    fields = wording.schedule_fields(view)
    lines = [
        M.fill("{label} {value}", label=M.strong(label), value=M.user(value))
        for label, value in fields
    ]
    if view.broken is not None:
        lines.append(broken_note(view.broken))
    elif view.paused:
        lines.append(M.fill(wording.paused_resume(), paused=M.strong(wording.paused_title()),
                            resume="/schedule resume"))
    elif view.next_post_utc is not None:
        when = f"{format_dt(view.next_post_utc, 'F')} ({relative(view.next_post_utc)})"
        lines.append(M.fill("{label} {value}", label=M.strong(wording.next_post_label()),
                            value=when))
    return discord.Embed(title=heading, description="\n".join(lines), colour=BLURPLE)


def broken_note(broken: BrokenChat) -> str:
    """The schedule stopped posting: why, since when, how to resume."""
    since = f"{format_dt(broken.since, 'F')} ({relative(broken.since)})"
    return "⚠️ " + wording.schedule_broken(M, broken, since, "/schedule resume")


def forget_embed(request: ForgetRequest) -> discord.Embed:
    return discord.Embed(
        title=wording.forget_title(),
        description=wording.forget_warning(relative(request.expires_at)),
        colour=discord.Colour.red(),
    )


def help_embed(llm: bool = False) -> discord.Embed:
    description = discord_texts.help_text(M, llm)
    return discord.Embed(title="prepbot", description=description, colour=BLURPLE)


def report_text(report: Report) -> str:
    return M.fill(wording.report_recorded(), number=str(report.id), id=M.code(report.item_id))
