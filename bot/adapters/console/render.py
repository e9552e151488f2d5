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
from bot.render import plural, points_outcome, render_math
from bot.services.results import (
    AnswerResult,
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
        parts.append("[dim]Type a letter (or number) and press Enter.[/]")
    else:
        parts.append(
            "[dim]Type your answer; an empty line sends it (Esc-Enter on a terminal). "
            "/help lists commands.[/]"
        )
    return Group(*parts)


def feedback(result: AnswerResult) -> Group:
    """Verdict, covered and missed key points, points and streak."""
    style = VERDICT_STYLE[result.verdict]
    rows = [("[green]✓[/]", escape(point)) for point in result.covered]
    rows += [("[red]✗[/]", escape(point)) for point in result.missed]
    rows += [("[magenta]⚠[/]", f"you said the opposite: {escape(c)}") for c in result.contradicted]
    rows += [("[magenta]⚠[/]", f"not quite: {escape(c)}") for c in result.misconceptions]
    if result.chosen_option is not None and result.verdict is not Verdict.CORRECT:
        rows.append(("[bold]→[/]", f"You chose: {escape(result.chosen_option)}"))
    if result.why:
        rows.append(("[bold]→[/]", f"Why: {escape(result.why)}"))
    if result.correct_option:
        rows.append(("[bold]→[/]", f"Right answer: {escape(result.correct_option)}"))
    notes = [("[yellow]note:[/]", escape(note)) for note in result.notes]
    outcome, earned = points_outcome(result)
    return Group(
        f"[{style}]{result.verdict.value.upper()}[/] (score {result.score:.2f})",
        bullets(rows),
        bullets(notes),
        f"[bold]{escape(outcome)}[/]" if earned else f"[dim]{escape(outcome)}[/]",
        streak(result.streak),
        "[dim]/reveal shows the reference answer; /rate again|hard|good|easy schedules a "
        "review.[/]",
    )


def streak(view: StreakView) -> str:
    today = "answered today" if view.answered_today else "not answered today yet"
    return (
        f"Streak: [bold]{plural(view.current, 'day')}[/] (best {view.best}, "
        f"{plural(view.freezes, 'freeze')}; {today})"
    )


def when(value: datetime) -> str:
    """A time as the user reads it: the datetime's own zone (the services give local)."""
    zone = getattr(value.tzinfo, "key", None) or value.tzname() or "UTC"
    return f"{value:%Y-%m-%d %H:%M} ({zone})"


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
    return Group("[bold]Commands[/]", table, *(Text(p) for p in paragraphs))


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
    parts: list[Text | Markdown | str] = [
        f"[bold]Short answer:[/] {escape(render_math(result.short_answer))}"
    ]
    if result.full:
        parts.append(Markdown(render_math(result.answer)))
        parts.append(
            "[bold]Key points:[/]\n" + "\n".join(f"  • {escape(p)}" for p in result.key_points)
        )
    else:
        parts.append("[dim]/reveal again for the full answer.[/]")
    if result.points_forfeited:
        parts.append("[dim]Revealed before answering: an answer now earns no points.[/]")
    return parts


def summary(result: QuizSummary) -> str:
    lines = [
        f"[bold]Quiz {'stopped' if result.stopped else 'finished'}:[/] "
        f"{result.correct} correct, {result.partial} partial, {result.incorrect} incorrect, "
        f"{result.skipped} skipped of {result.total}; {plural(result.points, 'point')}."
    ]
    if result.to_review:
        lines.append("To review:")
        lines += [f"  • {escape(ref.question)}" for ref in result.to_review]
    return "\n".join(lines)


def stats(view: StatsView) -> str:
    lines = [
        f"Answered {view.answered}, accuracy {view.accuracy:.0%}, "
        f"points this week {view.points_week}",
        streak(view.streak),
        f"Reviews due: {view.due_reviews}; time zone {escape(view.timezone)}",
    ]
    for tag in view.by_tag[:10]:
        lines.append(f"  {escape(tag.tag):<24} {tag.answered:>4} answered, {tag.accuracy:.0%}")
    return "\n".join(lines)
