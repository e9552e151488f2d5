"""Service results as Telegram HTML messages (lists of parts, each under 4096 characters)."""

from __future__ import annotations

from datetime import date, datetime

from bot.adapters.telegram.formatting import (
    esc,
    markdown_html,
    markdown_parts,
    pack,
    user_text,
)
from bot.domain.choices import LETTERS
from bot.domain.models import Verdict
from bot.domain.views import ChannelReveal, DailyQuestion, QuestionView
from bot.render import noun, points_outcome
from bot.services.results import (
    AnswerResult,
    LeaderboardView,
    QuizSummary,
    RatingResult,
    RevealResult,
    ScheduleView,
    StatsView,
    StreakView,
    TopicInfo,
)

VERDICT = {
    Verdict.CORRECT: "✅ Correct",
    Verdict.PARTIAL: "🟡 Partly right",
    Verdict.INCORRECT: "❌ Not quite",
}
MEDALS = ("🥇", "🥈", "🥉")

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Start the bot"),
    ("help", "What I can do"),
    ("daily", "Today's question here"),
    ("answer", "Answer the question (or reply to it)"),
    ("reveal", "Show the answer (again: the full one)"),
    ("quiz", "A quiz: [topic] [count] [difficulty]"),
    ("review", "Your due review cards"),
    ("streak", "Your streak"),
    ("leaderboard", "Board: week, month, all, optout, optin"),
    ("stats", "Your statistics"),
    ("topics", "Topics for /quiz and /schedule"),
    ("timezone", "Your time zone: Area/City"),
    ("report", "Reply to a question: report a problem"),
    ("forget", "Delete everything stored about you"),
    ("schedule", "Admins: the daily question schedule"),
)

HELP = "\n".join(
    [
        "<b>prepbot</b> — daily interview practice for deep learning.",
        "",
        "/daily — today's question in this chat",
        esc("/answer <text> — answer it (or reply to the question message)"),
        "/reveal — show the answer (press again for the full one)",
        esc("/quiz [topic] [count] [difficulty] — a personal quiz, e.g. /quiz cnn 5 easy"),
        "/review — your due review cards (spaced repetition)",
        "/streak, /stats — your streak and your statistics",
        esc("/leaderboard [week|month|all|optout|optin] — this chat's board"),
        "/topics — topics for /quiz and /schedule",
        esc("/timezone <Area/City> — your time zone (reset: follow the chat)"),
        esc("/report <reason> — as a reply to a question: report a problem"),
        "/forget — delete everything stored about you",
        "",
        "<b>Admins</b>: "
        + esc(
            "/schedule HH:MM [Area/City] [daily|mon-fri|mon,wed,fri] [topics...] [reveal=12h]"
        )
        + ", /schedule to show it, /schedule pause|resume|off.",
        "",
        "In groups, feedback on your answers is hidden under a spoiler; start me in a private "
        "chat to get it there instead.",
    ]
)

WELCOME_GROUP = (
    "👋 Hi! I post one deep-learning interview question a day and grade your answers.\n"
    "An admin can start it with <code>/schedule 09:00 Europe/Berlin</code>; /help lists "
    "everything."
)


def day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def when(value: datetime) -> str:
    return f"{value:%a} {value.day} {value:%b %H:%M} {value.tzname() or 'UTC'}"


def tags_line(view: QuestionView) -> str:
    tags = ", ".join(view.tags) or "general"
    return f"<i>{esc(tags)} · {esc(view.difficulty)}</i>"


def options_html(view: QuestionView) -> str:
    return "\n".join(
        f"<b>{LETTERS[index]}</b>) {markdown_html(option)}"
        for index, option in enumerate(view.options)
    )


def question(view: QuestionView, heading: str, hint: str = "") -> list[str]:
    """A question with tags, difficulty and lettered options; `heading` is HTML."""
    body = markdown_parts(view.question)
    blocks = [f"{heading}\n{body[0]}", *body[1:]]
    if view.options:
        blocks.append(options_html(view))
    footer = tags_line(view)
    if hint:
        footer += f"\n{hint}"
    blocks.append(footer)
    return pack(blocks)


def daily_heading(daily: DailyQuestion) -> str:
    return f"📅 <b>Question of the day</b> · {day(daily.local_date)}"


def daily(daily_question: DailyQuestion) -> list[str]:
    view = daily_question.question
    hint = (
        "<i>Pick an option below.</i>"
        if view.options
        else "<i>Reply to this message with your answer.</i>"
    )
    return question(view, daily_heading(daily_question), hint)


def quiz_heading(view: QuestionView) -> str:
    where = f" {view.position}/{view.total}" if view.position and view.total else ""
    return f"🧠 <b>Quiz{where}</b>"


def review_heading(due: int) -> str:
    return f"🔁 <b>Review</b> · {due} due"


def answer_hint(view: QuestionView) -> str:
    if view.options:
        return "<i>Pick an option, or reply with your answer.</i>"
    return "<i>Reply to this message with your answer.</i>"


def poll_description(daily_question: DailyQuestion) -> str:
    """Plain text under a daily quiz poll (polls take no HTML)."""
    view = daily_question.question
    tags = ", ".join(view.tags) or "general"
    return f"Question of the day · {day(daily_question.local_date)} · {tags} · {view.difficulty}"


# --- feedback ---------------------------------------------------------------------------


def _feedback_lines(result: AnswerResult, *, code: bool) -> list[str]:
    lines = [f"<b>{VERDICT[result.verdict]}</b> (score {result.score:.2f})"]
    lines += [f"✓ {markdown_html(point, code=code)}" for point in result.covered]
    lines += [f"✗ {markdown_html(point, code=code)}" for point in result.missed]
    lines += [
        f"⚠ you said the opposite: {markdown_html(point, code=code)}"
        for point in result.contradicted
    ]
    lines += [f"⚠ not quite: {markdown_html(claim, code=code)}" for claim in result.misconceptions]
    lines += [f"<i>note: {esc(note)}</i>" for note in result.notes]
    if result.chosen_option is not None and result.verdict is not Verdict.CORRECT:
        lines.append(f"You chose: {markdown_html(result.chosen_option, code=code)}")
    if result.why:
        lines.append(f"Why: {markdown_html(result.why, code=code)}")
    if result.correct_option:
        lines.append(f"Right answer: {markdown_html(result.correct_option, code=code)}")
    outcome, earned = points_outcome(result)
    lines.append(f"<b>{esc(outcome)}</b>" if earned else f"<i>{esc(outcome)}</i>")
    return lines


def streak_short(view: StreakView) -> str:
    return f"🔥 Streak {view.current} (best {view.best})"


def feedback(result: AnswerResult, *, name: str | None = None, edited: bool = False) -> list[str]:
    """Feedback on an answer: open in a private chat, under a spoiler in a group (`name`)."""
    note = " <i>(edited answer)</i>" if edited else ""
    if name is None:
        return pack(["\n".join(_feedback_lines(result, code=True)) + note,
                     streak_short(result.streak)])
    hidden = "\n".join(_feedback_lines(result, code=False))
    return pack(
        [
            f"<b>{user_text(name)}</b>, your result{note}:\n<tg-spoiler>{hidden}</tg-spoiler>\n"
            f"{streak_short(result.streak)}"
        ]
    )


def from_group(title: str, parts: list[str]) -> list[str]:
    """Private copies of group feedback say which group they are about."""
    header = f"<i>From {esc(title or 'the group')}:</i>"
    return pack([header, *parts]) if parts else parts


def feedback_sent_privately(name: str) -> str:
    return f"✉️ {user_text(name)}: feedback sent to our private chat."


# --- reveals ----------------------------------------------------------------------------


def reveal(result: RevealResult, *, name: str | None = None) -> list[str]:
    """A per-user reveal; in a group (`name` given) every part is under a spoiler."""
    code = name is None
    blocks: list[str]
    if result.full:
        blocks = ["📖 <b>Full answer</b>", *markdown_parts(result.answer or result.short_answer,
                                                          code=code)]
        if result.key_points:
            blocks.append(
                "<b>Key points</b>\n"
                + "\n".join(f"• {markdown_html(p, code=code)}" for p in result.key_points)
            )
    else:
        blocks = [f"💡 <b>Short answer</b>\n{markdown_html(result.short_answer, code=code)}"]
    notes = []
    if not result.full:
        notes.append("<i>Show answer again for the full answer.</i>")
    if result.points_forfeited:
        notes.append("<i>Seen before answering: an answer now earns no points.</i>")
    notes.append("<i>How well did you know it? Rate it to schedule a review.</i>")
    if name is None:
        return pack([*blocks, "\n".join(notes)])
    parts = pack(blocks, limit=3800)  # room for the name and the notes
    head = f"<b>{user_text(name)}</b>, the answer:\n"
    wrapped = [f"<tg-spoiler>{part}</tg-spoiler>" for part in parts]
    wrapped[0] = head + wrapped[0]
    wrapped[-1] += "\n" + "\n".join(notes)
    return wrapped


def channel_reveal(result: ChannelReveal) -> list[str]:
    """The scheduled reveal of a daily question, for everyone."""
    blocks = [
        f"⏰ <b>Answer to the question of {day(result.local_date)}</b>\n"
        f"<i>{markdown_html(result.question, code=False)}</i>",
        f"💡 <b>In short</b>: {markdown_html(result.short_answer)}",
        *markdown_parts(result.answer),
    ]
    if result.answered:
        lines = [f"👥 {result.answered} answered."]
        for index, line in enumerate(result.top):
            medal = MEDALS[index] if index < len(MEDALS) else "•"
            lines.append(
                f"{medal} {user_text(line.display_name)} — {VERDICT[line.verdict]}, "
                f"{line.points} {noun(line.points, 'point')}"
            )
        blocks.append("\n".join(lines))
    else:
        blocks.append("👥 Nobody answered this one. Tomorrow's your chance!")
    return pack(blocks)


def rated(result: RatingResult) -> str:
    return f"🗓 Rated <b>{esc(result.rating)}</b>; next review {when(result.due)}."


# --- quizzes, stats, boards -------------------------------------------------------------


def quiz_conflict(answered: int, total: int) -> str:
    return (
        f"You already have a quiz running here ({answered}/{total} answered). "
        "Continue it, or stop it and start a new one."
    )


def summary(result: QuizSummary) -> list[str]:
    state = "stopped" if result.stopped else "finished"
    lines = [
        f"🏁 <b>Quiz {state}</b>: {result.correct} correct, {result.partial} partial, "
        f"{result.incorrect} wrong, {result.skipped} skipped of {result.total}; "
        f"<b>{result.points}</b> {noun(result.points, 'point')}."
    ]
    if result.to_review:
        lines.append("To review:")
        lines += [f"• {markdown_html(ref.question)}" for ref in result.to_review]
    return pack(["\n".join(lines)])


def skipped(question_text: str) -> str:
    return f"⏭ Skipped: <i>{markdown_html(question_text, code=False)}</i>"


def streak(view: StreakView) -> str:
    today = "answered today ✅" if view.answered_today else "not answered today yet"
    return (
        f"🔥 Streak: <b>{view.current}</b> {noun(view.current, 'day')}, best {view.best}, "
        f"{view.freezes} {noun(view.freezes, 'freeze')}; {today}."
    )


def stats(view: StatsView) -> list[str]:
    lines = [
        "📊 <b>Your statistics</b>",
        f"Answered {view.answered}, accuracy {view.accuracy:.0%}, "
        f"{view.points_week} points this week",
        streak(view.streak),
        f"Reviews due: {view.due_reviews} · time zone {esc(view.timezone)}",
    ]
    if view.by_tag:
        lines.append("")
        lines += [
            f"• {esc(tag.tag)}: {tag.answered} answered, {tag.accuracy:.0%}"
            for tag in view.by_tag[:10]
        ]
    return pack(["\n".join(lines)])


def leaderboard(view: LeaderboardView) -> list[str]:
    titles = {"week": "this week", "month": "this month", "all": "all time"}
    lines = [f"🏆 <b>Leaderboard</b> · {titles.get(view.period.value, view.period.value)}"]
    if not view.rows:
        lines.append("No points yet. Answer today's question to get on the board!")
    for row in view.rows:
        medal = MEDALS[row.rank - 1] if row.rank <= len(MEDALS) else f"{row.rank}."
        lines.append(
            f"{medal} {user_text(row.display_name)} — <b>{row.points}</b> pts, "
            f"{row.answered} answered, {row.accuracy:.0%}, 🔥{row.streak}"
        )
    if view.caller_opted_out:
        lines.append("<i>You are hidden from leaderboards (/leaderboard optin to show).</i>")
    elif view.caller is not None and all(r.user != view.caller.user for r in view.rows):
        mine = view.caller
        lines.append(f"You: #{mine.rank}, {mine.points} pts")
    return pack(["\n".join(lines)])


def topics(items: list[TopicInfo]) -> list[str]:
    tags = [t for t in items if t.kind == "tag"]
    decks = [t for t in items if t.kind != "tag"]
    blocks = []
    if tags:
        blocks.append(
            "<b>Topics</b>\n"
            + "\n".join(f"• <code>{esc(t.name)}</code> ({t.items})" for t in tags)
        )
    if decks:
        blocks.append(
            "<b>Decks</b>\n"
            + "\n".join(
                f"• <code>{esc(t.name)}</code> ({t.items}) — {esc(t.description)}" for t in decks
            )
        )
    blocks.append(esc("Use them with /quiz <topic> or /schedule ... <topics>."))
    return pack(blocks)


def schedule(view: ScheduleView) -> str:
    topics_text = ", ".join(view.topics) if view.topics else "all topics"
    reveal_text = (
        f"answer revealed after {view.reveal_delay_hours} h"
        if view.reveal_delay_hours
        else "no automatic reveal"
    )
    lines = [
        f"📅 <b>Daily question</b> at {esc(view.time)} {esc(view.timezone)}, "
        f"{esc(view.weekdays)}" + (" — <b>paused</b>" if view.paused else ""),
        f"Topics: {esc(topics_text)} ({view.pool_size} questions); {reveal_text}.",
    ]
    if view.next_post_local is not None:
        lines.append(f"Next: {when(view.next_post_local)}")
    return "\n".join(lines)
