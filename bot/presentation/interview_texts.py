"""Every sentence of a mock interview: prompts, the short note after an answer, the
reminder, the report, and where the round runs. `m` adds the platform's markup."""

from __future__ import annotations

from bot.domain.interview import RoundStatus, TagScore
from bot.presentation.i18n import N_, _, ngettext
from bot.presentation.markup import PLAIN, Mark, Markup
from bot.presentation.wording import verdict_label
from bot.services.interview import (
    AnswerNote,
    InterviewPrompt,
    InterviewReport,
    QuestionReport,
)

ENDINGS = {
    RoundStatus.FINISHED: N_("Interview over"),
    RoundStatus.STOPPED: N_("Interview stopped"),
    RoundStatus.EXPIRED: N_("Interview ended: left idle too long"),
    RoundStatus.ACTIVE: N_("Interview so far"),
}


def duration(seconds: int | None) -> str:
    """`45s`, `2m 05s`; a dash when unknown."""
    if seconds is None:
        return "-"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}m {rest:02d}s" if minutes else f"{rest}s"


def minutes(count: int) -> str:
    return ngettext("{count} minute", "{count} minutes", count).format(count=count)


def prompt_heading(prompt: InterviewPrompt, m: Markup = PLAIN) -> str:
    """`Question 2 of 5 · medium · 3 minutes` (or the follow-up's heading)."""
    if prompt.follow_up is not None:
        return m.strong(
            m.fill(
                _("Follow-up on question {position} of {total}"),
                position=prompt.position, total=prompt.total,
            )
        )
    return m.strong(
        m.fill(
            _("Question {position} of {total} · {difficulty} · {allowed}"),
            position=prompt.position,
            total=prompt.total,
            difficulty=m.text(prompt.difficulty),
            allowed=m.text(minutes(prompt.minutes)),
        )
    )


def follow_up_text(prompt: InterviewPrompt, m: Markup = PLAIN) -> str:
    """The follow-up: the bank's own question, or the neutral form around the key point."""
    if prompt.neutral:
        return m.fill(
            _("You did not mention “{point}”. How does it fit in?"),
            point=m.content((prompt.follow_up_point or "").rstrip(".")),
        )
    return m.content(prompt.follow_up or "")


def prompt_lines(prompt: InterviewPrompt, stop: str, m: Markup = PLAIN) -> list[str]:
    """A question or follow-up as lines: heading, text, how to answer."""
    lines: list[str] = []
    if prompt.resumed:
        lines.append(m.quiet(m.text(_("Resumed after a restart: the clock starts again now."))))
    lines.append(prompt_heading(prompt, m))
    if prompt.follow_up is not None:
        lines.append(follow_up_text(prompt, m))
    else:
        lines.append(m.content(prompt.question.question))
    lines.append(
        m.quiet(m.fill(_("Answer in one message; {stop} ends the round."), stop=m.code(stop)))
    )
    return lines


def reminder() -> str:
    return _("One minute left for this question.")


def console_timer_note(allowed: int) -> str:
    """The console does not edit messages, so it says the time once instead."""
    return _(
        "{allowed} per question; the console does not count down, a late answer is marked."
    ).format(allowed=minutes(allowed))


def note_line(note: AnswerNote, m: Markup = PLAIN) -> str:
    """A brief note after each answer; the detail waits for the report."""
    if note.follow_up:
        text = (
            _("Follow-up noted: that point is covered ({time}).")
            if note.covered_point
            else _("Follow-up noted: that point is still missing ({time}).")
        )
        line = m.fill(text, time=duration(note.seconds))
    else:
        line = m.fill(
            _("Answer {position} noted: {verdict} in {time}."),
            position=note.position,
            verdict=m.verdict(note.verdict, verdict_label(note.verdict)),
            time=duration(note.seconds),
        )
    if note.late:
        line += " " + m.quiet(m.text(_("(late: after the time allowed)")))
    return line


def question_lines(question: QuestionReport, m: Markup = PLAIN) -> list[str]:
    verdict = (
        m.verdict(question.verdict, verdict_label(question.verdict))
        if question.verdict is not None
        else m.text(_("not answered"))
    )
    head = m.fill(
        _("{position}. {verdict}, {score}/100, {time}"),
        position=question.position,
        verdict=verdict,
        score=question.score,
        time=duration(question.seconds),
    )
    if question.late:
        head += " " + m.quiet(m.text(_("(late)")))
    lines = [head + " " + m.quiet(m.content(_short(question.question)))]
    lines += [m.line(Mark.COVERED, m.content(point)) for point in question.covered]
    lines += [m.line(Mark.MISSED, m.content(point)) for point in question.missed]
    lines += [m.line(Mark.CONTRADICTED, m.content(point)) for point in question.contradicted]
    if question.follow_up_point is not None and question.follow_up_covered is not None:
        text = (
            _("Follow-up covered: {point}")
            if question.follow_up_covered
            else _("Follow-up missed: {point}")
        )
        lines.append(m.line(Mark.NOTE, m.fill(text, point=m.content(question.follow_up_point))))
    return lines


def _short(question: str, limit: int = 90) -> str:
    one = " ".join(question.split())
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"


def _tags(tags: tuple[TagScore, ...], m: Markup) -> str:
    return ", ".join(f"{m.code(t.tag)} {t.score}" for t in tags)


def report_title(report: InterviewReport) -> str:
    return _(ENDINGS[report.status])


def report_lines(
    report: InterviewReport, review: str, quiz: str, m: Markup = PLAIN
) -> list[str]:
    """The report: overall score, each question, strengths and weak spots, what to study
    next (already in the review queue) and one next step."""
    lines = [
        m.fill(
            _("Overall {score}/100 · answered {answered} of {total} · {points}"),
            score=m.strong(str(report.overall)),
            answered=report.answered,
            total=report.total,
            points=m.text(
                ngettext("{count} point", "{count} points", report.points).format(
                    count=report.points
                )
            ),
        )
    ]
    for question in report.questions:
        lines += question_lines(question, m)
    if report.strengths:
        lines.append(m.fill(_("Strengths: {tags}"), tags=_tags(report.strengths, m)))
    if report.weak_spots:
        lines.append(m.fill(_("Weak spots: {tags}"), tags=_tags(report.weak_spots, m)))
    if report.study:
        lines.append(m.strong(m.text(_("Study next (due now in your reviews):"))))
        lines += [
            m.line(Mark.ITEM, m.fill("{id} {question}", id=m.code(ref.item_id),
                                     question=m.content(_short(ref.question))))
            for ref in report.study
        ]
    lines.append(next_step(report, review, quiz, m))
    return lines


def next_step(report: InterviewReport, review: str, quiz: str, m: Markup = PLAIN) -> str:
    """One line: review the items just queued, then a topic to quiz."""
    if report.study and report.next_topic:
        return m.fill(
            _("Next: {review} now, then {quiz} {topic}."),
            review=m.code(review), quiz=m.code(quiz), topic=m.code(report.next_topic),
        )
    if report.study:
        return m.fill(_("Next: {review} now."), review=m.code(review))
    return m.fill(_("Next: a harder round, or {quiz} on a new topic."), quiz=m.code(quiz))


def interview_running(position: int, total: int, stop: str) -> str:
    return _(
        "You already have an interview running (question {position} of {total}); answer it "
        "or end it with {stop}."
    ).format(position=position, total=total, stop=stop)


def only_some_questions(total: int) -> str:
    return ngettext(
        "Only {count} question matches; the round has that one.",
        "Only {count} questions match; the round has those.",
        total,
    ).format(count=total)


def round_started_private(where: str) -> str:
    """Discord's ephemeral start message: where the round runs."""
    return _("Your interview runs in {where}.").format(where=where)


def round_in_dms() -> str:
    return _(
        "Private threads are not allowed here, so your interview runs in direct messages."
    )


def round_cannot_start_privately() -> str:
    return _(
        "I could not open a private thread or message you directly; allow direct messages "
        "from this server and try again."
    )


def open_private_chat(link: str) -> str:
    """Telegram in a group: the round is private, the deep link opens it."""
    return _("Interviews run in a private chat with me: open {link} to start.").format(
        link=link
    )


def thread_name(name: str) -> str:
    """The private thread a Discord round runs in."""
    return _("Interview · {name}").format(name=name)
