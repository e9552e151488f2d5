"""Service results as rich renderables for the terminal."""

from __future__ import annotations

from rich.markdown import Markdown
from rich.markup import escape
from rich.text import Text

from bot.domain.models import Verdict
from bot.render import points_outcome, render_math
from bot.services.results import (
    AnswerResult,
    QuestionView,
    QuizSummary,
    RevealResult,
    StatsView,
    StreakView,
)

VERDICT_STYLE = {
    Verdict.CORRECT: "bold green",
    Verdict.PARTIAL: "bold yellow",
    Verdict.INCORRECT: "bold red",
}
LETTERS = "ABCDEF"


def question(view: QuestionView, heading: str) -> str:
    """Markup for a question with its tags, difficulty and numbered options."""
    where = f" {view.position}/{view.total}" if view.position and view.total else ""
    lines = [
        f"[bold cyan]{escape(heading)}{where}[/] [dim]({escape(view.difficulty)}; "
        f"{escape(', '.join(view.tags))})[/]",
        escape(render_math(view.question)),
    ]
    for index, option in enumerate(view.options):
        lines.append(f"  [bold]{LETTERS[index]}[/]) {escape(render_math(option))}")
    if view.options:
        lines.append("[dim]Type a letter (or number) and press Enter.[/]")
    else:
        lines.append("[dim]Type your answer; an empty line sends it. /help lists commands.[/]")
    return "\n".join(lines)


def feedback(result: AnswerResult) -> str:
    """Verdict, covered and missed key points, points and streak."""
    style = VERDICT_STYLE[result.verdict]
    lines = [f"[{style}]{result.verdict.value.upper()}[/] (score {result.score:.2f})"]
    lines += [f"  [green]✓[/] {escape(point)}" for point in result.covered]
    lines += [f"  [red]✗[/] {escape(point)}" for point in result.missed]
    lines += [f"  [magenta]⚠ not quite:[/] {escape(claim)}" for claim in result.misconceptions]
    lines += [f"  [yellow]note:[/] {escape(note)}" for note in result.notes]
    if result.correct_option:
        lines.append(f"  Right answer: {escape(result.correct_option)}")
    outcome, earned = points_outcome(result)
    lines.append(f"[bold]{escape(outcome)}[/]" if earned else f"[dim]{escape(outcome)}[/]")
    lines.append(streak(result.streak))
    lines.append(
        "[dim]/reveal shows the reference answer; /rate again|hard|good|easy schedules a review.[/]"
    )
    return "\n".join(lines)


def streak(view: StreakView) -> str:
    today = "answered today" if view.answered_today else "not answered today yet"
    return (
        f"Streak: [bold]{view.current}[/] day(s) (best {view.best}, "
        f"freezes {view.freezes}; {today})"
    )


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
        f"{result.skipped} skipped of {result.total}; {result.points} points."
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
