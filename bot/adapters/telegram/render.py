"""Service results as Telegram HTML messages (lists of parts, each under 4096 characters)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.adapters.telegram.formatting import (
    esc,
    markdown_html,
    markdown_parts,
    pack,
    user_text,
)
from bot.domain.choices import LETTERS
from bot.domain.models import Report, Verdict
from bot.domain.views import ChannelReveal, DailyQuestion, QuestionView
from bot.errors import Command
from bot.presentation import helptext, wording
from bot.presentation.commands import command
from bot.presentation.markup import Mark, Markup
from bot.services.results import (
    AnswerResult,
    BrokenChat,
    LeaderboardView,
    QuizSummary,
    RatingResult,
    RevealResult,
    ScheduleView,
    StatsCard,
    StatsView,
    StreakView,
    TimezoneResult,
    TopicInfo,
)

VERDICT_EMOJI = {Verdict.CORRECT: "✅", Verdict.PARTIAL: "🟡", Verdict.INCORRECT: "❌"}
MARKERS = {
    Mark.COVERED: "✓",
    Mark.MISSED: "✗",
    Mark.CONTRADICTED: "⚠",
    Mark.MISCONCEPTION: "⚠",
    Mark.NOTE: "ℹ️",
    Mark.ANSWER: "",
    Mark.ITEM: "•",
}
MEDALS = ("🥇", "🥈", "🥉")


class TelegramMarkup(Markup):
    """Telegram HTML around the shared wording; `code=False` inside spoilers, which take
    no code entities."""

    def __init__(self, *, code: bool = True) -> None:
        self.code_blocks = code

    def text(self, text: str) -> str:
        return esc(text)

    def user(self, text: str) -> str:
        return user_text(text)

    def content(self, text: str) -> str:
        return markdown_html(text, code=self.code_blocks)

    def strong(self, marked: str) -> str:
        return f"<b>{marked}</b>"

    def quiet(self, marked: str) -> str:
        return f"<i>{marked}</i>"

    def code(self, text: str) -> str:
        return f"<code>{esc(text)}</code>"

    def mark(self, kind: Mark) -> str:
        return MARKERS[kind]

    def verdict(self, verdict: Verdict, label: str) -> str:
        return f"{VERDICT_EMOJI[verdict]} {label}"


M = TelegramMarkup()
HIDDEN = TelegramMarkup(code=False)

MENU = (
    "start", "help", "daily", "answer", "reveal", "quiz", "review", "streak", "leaderboard",
    "stats", "topics", "timezone", "report", "forget", "schedule", "interview", "deck",
)


def commands() -> list[tuple[str, str]]:
    """(command, description) for Telegram's command menu, in the current language."""
    return [(name, helptext.menu(name)) for name in MENU]


# Each command's syntax here, and which explanation it takes.
_HELP_LINES = (
    ("/daily", "daily"),
    ("/answer <text>", "answer"),
    ("/reveal", "reveal"),
    ("/quiz [topic] [count] [difficulty]", "quiz"),
    ("/review", "review"),
    ("/streak, /stats", "streak-stats"),
    ("/leaderboard [week|month|all|optout|optin]", "leaderboard"),
    ("/leaderboard week chart", "leaderboard-chart"),
    ("/topics", "topics"),
    ("/timezone <Area/City>", "timezone"),
    ("/report <reason>", "report"),
    ("/forget", "forget"),
    ("/interview [topic] [questions] [minutes]", "interview"),
    ("/deck list|show ID|export ID", "deck"),
)
_SCHEDULE = "/schedule HH:MM [Area/City] [daily|mon-fri|mon,wed,fri] [topics...] [reveal=12h]"
_SCHEDULE_EXAMPLE = "/schedule 09:00 Europe/Berlin"


def help_text(llm: bool = False) -> str:
    """/help, built when asked so a language switch applies; `llm`: LLM grading is on."""
    return "\n".join(
        [
            M.fill(helptext.tagline(), name=M.strong("prepbot")),
            "",
            *(
                esc(f"{syntax} — {helptext.explained(key, example='/quiz cnn 5 easy')}")
                for syntax, key in _HELP_LINES
            ),
            "",
            M.strong(M.text(helptext.admins_title())) + ": "
            + esc(helptext.admin_schedule(_SCHEDULE, "/schedule", "/schedule pause|resume|off")),
            esc(helptext.admin_decks("/deck add", "/deck remove ID")),
            "",
            M.text(helptext.groups_note()),
            M.quiet(M.text(helptext.grading_mode(llm))),
        ]
    )


def welcome_group() -> str:
    return "👋 " + M.fill(
        helptext.welcome_group(), start=M.code(_SCHEDULE_EXAMPLE), help=command(Command.HELP)
    )


def welcome(dm_link: bool, llm: bool = False) -> str:
    """/start in private: a welcome (or, from the deep link, private feedback is on), then
    the help."""
    if dm_link:
        intro = "✅ " + M.text(wording.private_feedback_on())
    else:
        intro = "👋 " + M.fill(wording.welcome("{name}"), name=M.strong("prepbot"))
    return f"{intro}\n\n{help_text(llm)}"


def day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def when(value: datetime) -> str:
    return f"{value:%a} {value.day} {value:%b %H:%M} {value.tzname() or 'UTC'}"


def _tags(view: QuestionView) -> str:
    return ", ".join(view.tags) or wording.general_tag()


def tags_line(view: QuestionView) -> str:
    tags = _tags(view)
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
    return "📅 " + M.strong(M.text(wording.question_of_the_day(day(daily.local_date))))


def daily(daily_question: DailyQuestion) -> list[str]:
    view = daily_question.question
    hint = wording.pick_an_option() if view.options else wording.reply_with_answer()
    hint = M.quiet(M.text(hint))
    return question(view, daily_heading(daily_question), hint)


def quiz_heading(view: QuestionView) -> str:
    where = f" {view.position}/{view.total}" if view.position and view.total else ""
    return "🧠 " + M.strong(M.text(wording.quiz_title()) + where)


def review_heading(due: int) -> str:
    return "🔁 " + M.strong(M.text(wording.review_title(due)))


def answer_hint(view: QuestionView) -> str:
    hint = wording.pick_or_reply() if view.options else wording.reply_with_answer()
    return M.quiet(M.text(hint))


def poll_description(daily_question: DailyQuestion) -> str:
    """Plain text under a daily quiz poll (polls take no HTML)."""
    view = daily_question.question
    tags = _tags(view)
    title = wording.question_of_the_day(day(daily_question.local_date))
    return f"{title} · {tags} · {view.difficulty}"


# --- feedback ---------------------------------------------------------------------------


def _feedback_lines(result: AnswerResult, *, code: bool) -> list[str]:
    m = M if code else HIDDEN
    return [
        m.strong(wording.verdict_heading(result, m)),
        *wording.feedback_lines(result, m),
        wording.outcome_line(result, m),
    ]


def streak_short(view: StreakView) -> str:
    return f"🔥 {wording.streak(view, M)}"


def feedback(result: AnswerResult, *, name: str | None = None, edited: bool = False) -> list[str]:
    """Feedback on an answer: open in a private chat, under a spoiler in a group (`name`)."""
    note = " " + M.quiet(M.text(wording.edited_note())) if edited else ""
    hint = M.quiet(M.text(wording.rate_hint()))
    if name is None:
        return pack(["\n".join(_feedback_lines(result, code=True)) + note,
                     f"{streak_short(result.streak)}\n{hint}"])
    hidden = "\n".join(_feedback_lines(result, code=False))
    head = M.fill(wording.your_result(), name=M.strong(user_text(name)))
    return pack(
        [
            f"{head}{note}:\n<tg-spoiler>{hidden}</tg-spoiler>\n"
            f"{streak_short(result.streak)}\n{hint}"
        ]
    )


def from_group(title: str, parts: list[str]) -> list[str]:
    """Private copies of group feedback say which group they are about."""
    header = M.quiet(M.text(wording.from_group(title)))
    return pack([header, *parts]) if parts else parts


def feedback_sent_privately(name: str) -> str:
    return "✉️ " + M.fill(wording.feedback_sent_privately(), name=user_text(name))


# --- reveals ----------------------------------------------------------------------------


def reveal(result: RevealResult, *, name: str | None = None) -> list[str]:
    """A per-user reveal; in a group (`name` given) every part is under a spoiler."""
    m = M if name is None else HIDDEN
    blocks: list[str]
    if result.full:
        full = result.answer or result.short_answer
        blocks = ["📖 " + m.strong(m.text(wording.full_answer_title())),
                  *markdown_parts(full, code=m.code_blocks)]
        if result.key_points:
            blocks.append(
                m.strong(m.text(wording.key_points_title())) + "\n"
                + "\n".join(m.line(Mark.ITEM, m.content(p)) for p in result.key_points)
            )
    else:
        title = m.strong(m.text(wording.short_answer_title()))
        blocks = [f"💡 {title}\n{m.content(result.short_answer)}"]
    full_button = M.text("📖 " + wording.full_answer_title())
    notes = "\n".join(M.quiet(M.text(n)) for n in wording.reveal_notes(result, full_button))
    if name is None:
        return pack([*blocks, notes])
    parts = pack(blocks, limit=3800)  # room for the name and the notes
    head = M.fill(wording.the_answer_for(), name=M.strong(user_text(name))) + "\n"
    wrapped = [f"<tg-spoiler>{part}</tg-spoiler>" for part in parts]
    wrapped[0] = head + wrapped[0]
    wrapped[-1] += "\n" + notes
    return wrapped


def channel_reveal(result: ChannelReveal) -> list[str]:
    """The scheduled reveal of a daily question, for everyone."""
    blocks = [
        "⏰ " + M.strong(M.text(wording.channel_reveal_title(day(result.local_date))))
        + f"\n<i>{markdown_html(result.question, code=False)}</i>",
        "💡 " + M.fill(wording.in_short(), answer=markdown_html(result.short_answer)),
        *markdown_parts(result.answer),
    ]
    lines = ["👥 " + M.text(wording.answered_count(result.answered))]
    for index, line in enumerate(result.top):
        medal = MEDALS[index] if index < len(MEDALS) else "•"
        lines.append(f"{medal} {wording.score_line(line, M)}")
    blocks.append("\n".join(lines))
    return pack(blocks)


def no_reviews(next_due: datetime | None) -> str:
    text = wording.no_reviews(
        when(next_due) if next_due else None,
        quiz=command(Command.QUIZ),
        daily=command(Command.DAILY),
    )
    return "🎉 " + M.text(text)


def rated(result: RatingResult) -> str:
    return "🗓 " + wording.rated(M, result.rating, M.text(when(result.due)))


# --- quizzes, stats, boards -------------------------------------------------------------


def quiz_conflict(answered: int, total: int) -> str:
    return M.text(wording.quiz_conflict(answered, total))


def summary(result: QuizSummary) -> list[str]:
    title = "🏁 " + M.strong(M.text(wording.summary_title(result)))
    return pack(["\n".join(wording.summary_lines(result, M, title=title))])


def skipped(question_text: str) -> str:
    return "⏭ " + wording.skipped(M, markdown_html(question_text, code=False))


def streak(view: StreakView) -> str:
    return f"🔥 {wording.streak(view, M)}"


def stats(view: StatsView, more: Sequence[str] = ()) -> list[str]:
    title = "📊 " + M.strong(M.text(wording.stats_title()))
    return pack(["\n".join([title, *wording.stats_lines(view, M), *more])])


def stats_card(card: StatsCard) -> list[str]:
    """The text that goes with the stats picture: the same numbers."""
    return stats(card.view, [wording.stats_card_line(card, M)])


def leaderboard(view: LeaderboardView) -> list[str]:
    title = "🏆 " + M.strong(M.text(wording.leaderboard_title(view)))
    optin = M.text(command(Command.LEADERBOARD_OPTIN))
    lines = [title, *wording.leaderboard_lines(view, M, optin, medals=MEDALS)]
    if view.start is not None:
        lines.append(M.quiet(M.text(wording.since(view, f"{view.start:%Y-%m-%d %H:%M}"))))
    return pack(["\n".join(lines)])


def topics(items: list[TopicInfo]) -> list[str]:
    tags = [t for t in items if t.kind == "tag"]
    decks = [t for t in items if t.kind != "tag"]
    blocks = []
    if tags:
        blocks.append(
            M.strong(M.text(wording.topics_title())) + "\n"
            + "\n".join(M.line(Mark.ITEM, f"{M.code(t.name)} ({t.items})") for t in tags)
        )
    if decks:
        blocks.append(
            M.strong(M.text(wording.decks_title())) + "\n"
            + "\n".join(
                M.line(Mark.ITEM, f"{M.code(t.name)} ({t.items}) — {esc(t.description)}")
                for t in decks
            )
        )
    blocks.append(esc(wording.topics_hint("/quiz <topic>", "/schedule ... <topics>")))
    return pack(blocks)


def timezone(result: TimezoneResult) -> str:
    return "🕒 " + wording.timezone(result, M)


def unknown_command(name: str) -> str:
    return M.fill(wording.unknown_command(), command=user_text(name), help=command(Command.HELP))


def report_recorded(report: Report) -> str:
    return "🙏 " + M.fill(
        wording.report_recorded(), number=str(report.id), id=M.code(report.item_id)
    )


def forget_confirm(code: str) -> str:
    return M.fill(
        wording.forget_confirm(),
        button=M.strong(M.text(wording.button("delete"))),
        command=M.code(f"{command(Command.FORGET)} {code}"),
    )


def forget_done() -> str:
    return "🗑 " + M.text(wording.forget_done())


def admin_notice(chat_id: int, text: str) -> str:
    """A notice sent privately to a chat's admins, naming the chat."""
    head = M.fill(wording.about_chat(), name="⚠️ prepbot", chat=M.code(str(chat_id)))
    return f"{head}\n{M.text(text)}"


def admins_only() -> str:
    return M.text(wording.admins_only(command(Command.SCHEDULE)))


def not_scheduled() -> str:
    usage = _SCHEDULE.removeprefix(command(Command.SCHEDULE)).strip()  # the arguments
    return M.text(wording.not_scheduled(_SCHEDULE_EXAMPLE, usage))


SCHEDULE_ICONS = {"subscribe": "✅", "pause": "⏸", "resume": "▶️"}


def schedule_changed(action: str, view: ScheduleView) -> str:
    """`✅ Scheduled.` (or paused, resumed) above the schedule."""
    return f"{SCHEDULE_ICONS[action]} {M.text(wording.schedule_changed(action))}\n{schedule(view)}"


def schedule_off(removed: bool) -> str:
    return ("🛑 " if removed else "") + M.text(wording.schedule_off(removed))


def schedule(view: ScheduleView) -> str:
    lines = [
        "📅 " + wording.schedule_heading(view, M),
        M.text(wording.schedule_details(view)),
    ]
    if view.broken is not None:
        lines.append(broken_note(view.broken))
    elif view.next_post_local is not None:
        lines.append(M.text(wording.next_post(when(view.next_post_local))))
    return "\n".join(lines)


def broken_note(broken: BrokenChat) -> str:
    """The schedule stopped posting: why, since when, how to resume."""
    return "⚠️ " + wording.schedule_broken(M, broken, M.text(when(broken.since)), "/schedule resume")
