"""Service results as rich renderables for the terminal; rich wraps them at its width,
lists with a hanging indent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bot.domain.choices import LETTERS
from bot.domain.models import Verdict
from bot.domain.views import QuestionView
from bot.errors import Command
from bot.presentation import wording
from bot.presentation.commands import command
from bot.presentation.markup import Mark, Markup
from bot.render import render_math
from bot.services.results import (
    AnswerResult,
    LeaderboardView,
    QuizSummary,
    RevealResult,
    StatsView,
    StreakView,
    TopicInfo,
)

VERDICT_STYLE = {
    Verdict.CORRECT: "bold green",
    Verdict.PARTIAL: "bold yellow",
    Verdict.INCORRECT: "bold red",
}
MARKERS = {
    Mark.COVERED: "[green]✓[/]",
    Mark.MISSED: "[red]✗[/]",
    Mark.CONTRADICTED: "[magenta]⚠[/]",
    Mark.MISCONCEPTION: "[magenta]⚠[/]",
    Mark.NOTE: "[yellow]ℹ[/]",
    Mark.ANSWER: "[bold]→[/]",
    Mark.ITEM: "  •",
}


class ConsoleMarkup(Markup):
    """Rich console markup around the shared wording."""

    def text(self, text: str) -> str:
        return escape(text)

    def content(self, text: str) -> str:
        return escape(render_math(text))

    def strong(self, marked: str) -> str:
        return f"[bold]{marked}[/]"

    def quiet(self, marked: str) -> str:
        return f"[dim]{marked}[/]"

    def mark(self, kind: Mark) -> str:
        return MARKERS[kind]

    def verdict(self, verdict: Verdict, label: str) -> str:
        return f"[{VERDICT_STYLE[verdict]}]{label.upper()}[/]"


M = ConsoleMarkup()


def bullets(rows: Iterable[tuple[str, str]], indent: int = 2) -> Table:
    """`marker text` rows whose text wraps under itself, not under the marker."""
    table = Table.grid(padding=(0, 1, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for marker, text in rows:
        table.add_row(" " * indent + marker, text)
    return table


def question(view: QuestionView, heading: str) -> Group:
    """A question with its difficulty and tags, and its numbered options."""
    where = f" {view.position}/{view.total}" if view.position and view.total else ""
    about = " · ".join(part for part in (view.difficulty, ", ".join(view.tags)) if part)
    parts: list[RenderableType] = [
        f"[bold cyan]{escape(heading)}{where}[/] [dim]— {escape(about)}[/]",
        escape(render_math(view.question)),
    ]
    if view.options:
        parts.append(
            bullets(
                (f"[bold]{LETTERS[index]}[/])", escape(render_math(option)))
                for index, option in enumerate(view.options)
            )
        )
        parts.append(M.quiet(M.text(wording.type_a_letter())))
    else:
        parts.append(M.quiet(M.text(wording.type_an_answer("/help"))))
    return Group(*parts)


def feedback(result: AnswerResult) -> Group:
    """Verdict, covered and missed key points, points, streak, and how to rate it."""
    hint = M.fill(
        "{hint} ({rate})", hint=M.text(wording.rate_hint()), rate=M.text(command(Command.RATE))
    )
    return Group(
        wording.verdict_heading(result, M),
        bullets((M.mark(kind), text) for kind, text in wording.feedback_items(result, M)),
        wording.outcome_line(result, M),
        streak(result.streak),
        M.quiet(hint),
    )


def streak(view: StreakView) -> str:
    return wording.streak(view, M)


def when(value: datetime) -> str:
    """A time as the user reads it: the datetime's own zone (the services give local)."""
    zone = getattr(value.tzinfo, "key", None) or value.tzname() or "UTC"
    return f"{value:%Y-%m-%d %H:%M} ({zone})"


def no_reviews(next_due: datetime | None) -> str:
    text = wording.no_reviews(
        when(next_due) if next_due else None,
        quiz=command(Command.QUIZ),
        daily=command(Command.DAILY),
    )
    return M.text(text)


def unknown_command(name: str) -> str:
    return M.fill(wording.unknown_command(), command=M.text(name), help=command(Command.HELP))


def about(item_id: str, question_text: str, verb: str) -> str:
    """`Rated good: <question> [id]`: names the question a command acted on."""
    text = render_math(question_text).strip().splitlines()[0] if question_text.strip() else ""
    short = text if len(text) <= 80 else text[:77].rstrip() + "..."
    return f"[bold]{escape(verb)}[/] {escape(short)} [dim]\\[{escape(item_id)}][/]"


def help_table(commands: Sequence[tuple[str, str]], *paragraphs: str) -> Group:
    """The command list, then explanations, each wrapped at the terminal's width."""
    table = Table.grid(padding=(0, 2, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for usage, meaning in commands:
        table.add_row(f"  {escape(usage)}", escape(meaning))
    title = M.strong(M.text(wording.commands_title()))
    return Group(title, table, *(Text(p) for p in paragraphs))


def topics(found: Sequence[TopicInfo]) -> Table:
    table = Table.grid(padding=(0, 2, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(overflow="fold")
    for topic in found:
        table.add_row(f"  {topic.name}", topic.kind, str(topic.items), escape(topic.description))
    return table


def reveal(result: RevealResult) -> list[Text | Markdown | str]:
    """The short answer, or the full answer and its key points, then the notes."""
    parts: list[Text | Markdown | str]
    if result.full:
        parts = [M.strong(M.text(wording.full_answer_title())),
                 Markdown(render_math(result.answer or result.short_answer))]
        if result.key_points:
            parts.append(
                M.strong(M.text(wording.key_points_title())) + "\n"
                + "\n".join(M.line(Mark.ITEM, M.content(p)) for p in result.key_points)
            )
    else:
        title = M.strong(M.text(wording.short_answer_title()))
        parts = [M.fill("{title}: {answer}", title=title, answer=M.content(result.short_answer))]
    again = command(Command.REVEAL)
    parts += [M.quiet(M.text(note)) for note in wording.reveal_notes(result, again)]
    return parts


def summary(result: QuizSummary) -> str:
    title = M.strong(M.text(wording.summary_title(result)))
    return "\n".join(wording.summary_lines(result, M, title=title))


def stats(view: StatsView) -> str:
    title = M.strong(M.text(wording.stats_title()))
    return "\n".join([title, *wording.stats_lines(view, M)])


def leaderboard(view: LeaderboardView) -> str:
    title = M.strong(M.text(wording.leaderboard_title(view)))
    optin = command(Command.LEADERBOARD_OPTIN)
    lines = [title, *wording.leaderboard_lines(view, M, optin)]
    if view.start is not None:
        lines.append(M.quiet(M.text(wording.since(view, f"{view.start:%Y-%m-%d %H:%M}"))))
    return "\n".join(lines)
