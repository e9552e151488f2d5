"""Every sentence of a service result, written once; `m` adds the platform's markup.

Functions return marked-up strings (or lines of them); renderers arrange them into their
messages (embeds, HTML parts, terminal groups) and add nothing but markup.
"""

from __future__ import annotations

from bot.domain.leaderboard import Period
from bot.domain.models import AnswerKind, Verdict
from bot.domain.views import ScoreLine
from bot.presentation.i18n import N_, _, ngettext
from bot.presentation.markup import PLAIN, Mark, Markup
from bot.services.results import (
    AnswerResult,
    BrokenChat,
    LeaderboardRow,
    LeaderboardView,
    QuizSummary,
    RevealResult,
    ScheduleView,
    StatsCard,
    StatsView,
    StreakView,
    TimezoneResult,
)

VERDICTS = {
    Verdict.CORRECT: N_("Correct"),
    Verdict.PARTIAL: N_("Partly right"),
    Verdict.INCORRECT: N_("Incorrect"),
}
PERIODS = {
    Period.WEEK: N_("this week"),
    Period.MONTH: N_("this month"),
    Period.ALL: N_("all time"),
}


def verdict_label(verdict: Verdict) -> str:
    """`Correct`, `Partly right` or `Incorrect`: one set of labels everywhere."""
    return _(VERDICTS[verdict])


def percent(value: float) -> str:
    return f"{value:.0%}"


# --- counts -----------------------------------------------------------------------------


def points(count: int, m: Markup = PLAIN) -> str:
    """`1 point`, `10 points` (the number marked strong where `m` does so)."""
    return m.fill(ngettext("{count} point", "{count} points", count), count=m.strong(str(count)))


def days(count: int, m: Markup = PLAIN) -> str:
    return m.fill(ngettext("{count} day", "{count} days", count), count=m.strong(str(count)))


def freezes(count: int) -> str:
    return ngettext("{count} freeze", "{count} freezes", count).format(count=count)


def questions(count: int) -> str:
    return ngettext("{count} question", "{count} questions", count).format(count=count)


def only_some_match(total: int) -> str:
    """A quiz shorter than asked for."""
    return ngettext(
        "Only {count} question matches, so the quiz is shorter.",
        "Only {count} questions match, so the quiz is shorter.",
        total,
    ).format(count=total)


# --- rules ------------------------------------------------------------------------------


def freeze_rule() -> str:
    return _(
        "Streak freezes: every 7th day in a row earns one (you hold at most 2). If you miss "
        "a single day, a freeze is spent automatically and your streak goes on; missing two "
        "days in a row ends it."
    )


def points_rule(cap: int) -> str:
    """The points scheme in one paragraph; `cap` is QUIZ_DAILY_POINTS_CAP."""
    return _(
        "Points: correct 10, partly right 5, incorrect 1. Seeing the answer first earns "
        "none. Quizzes and reviews together earn at most {points} a day; the daily question "
        "is not capped."
    ).format(points=points(cap))


# --- answers ----------------------------------------------------------------------------


def score(value: float) -> str:
    return _("score {score}").format(score=percent(value))


def verdict_heading(result: AnswerResult, m: Markup = PLAIN) -> str:
    """`Correct · score 85%` (`Self-graded` for an answer nothing can check)."""
    if result.self_graded:
        return m.text(_("Self-graded: compare with the reference answer"))
    label = m.verdict(result.verdict, m.text(verdict_label(result.verdict)))
    return m.fill(_("{verdict} · {score}"), verdict=label, score=m.text(score(result.score)))


def freeze_news(result: AnswerResult) -> str:
    """A sentence when this answer earned or spent a streak freeze, else empty."""
    held = result.streak.freezes
    if result.freeze_spent:
        return _(
            "You missed a day: a streak freeze kept your streak going ({freezes} left)."
        ).format(freezes=freezes(held))
    if result.freeze_earned:
        return _(
            "{days} in a row: you earned a streak freeze (you hold {held}; it covers one "
            "missed day)."
        ).format(days=days(result.streak.current), held=held)
    return ""


def points_outcome(result: AnswerResult) -> tuple[str, bool]:
    """What an answer earned, in plain words, and whether it is points (shown strong) or a
    note (shown quiet); freeze news included."""
    if not result.counted:
        return _("Already answered: feedback only, no new points."), False
    news = freeze_news(result)
    if result.forfeited:
        seen = _("You saw the answer first, so no points (your streak still counts).")
        return " ".join(filter(None, [seen, news])), False
    if result.capped:
        outcome = _("+{points} (daily practice cap reached)").format(points=points(result.points))
    else:
        outcome = _("+{points}").format(points=points(result.points))
    return (_("{outcome}. {news}").format(outcome=outcome, news=news) if news else outcome), True


def outcome_line(result: AnswerResult, m: Markup = PLAIN) -> str:
    outcome, earned = points_outcome(result)
    return m.strong(m.text(outcome)) if earned else m.quiet(m.text(outcome))


def feedback_items(result: AnswerResult, m: Markup = PLAIN) -> list[tuple[Mark, str]]:
    """Key points covered, missed and contradicted, notes, and the choice explained, each
    with the kind of marker it takes."""
    if result.self_graded:
        reference = m.fill(_("Reference answer: {answer}"), answer=m.content(result.reference))
        return [(Mark.ANSWER, reference), (Mark.NOTE, m.strong(m.text(self_grade_question())))]
    items = [(Mark.COVERED, m.content(point)) for point in result.covered]
    items += [(Mark.MISSED, m.content(point)) for point in result.missed]
    items += [
        (Mark.CONTRADICTED, m.fill(_("You said the opposite: {point}"), point=m.content(p)))
        for p in result.contradicted
    ]
    items += [
        (Mark.MISCONCEPTION, m.fill(_("Not quite: {claim}"), claim=m.content(claim)))
        for claim in result.misconceptions
    ]
    items += [(Mark.NOTE, m.quiet(m.text(note))) for note in result.notes]
    if result.feedback:
        items.append(
            (Mark.NOTE, m.fill(_("Grader: {feedback}"), feedback=m.user(result.feedback)))
        )
    fallback = fallback_note(result.fallback)
    if fallback:
        items.append((Mark.NOTE, m.quiet(m.text(fallback))))
    if result.chosen_option is not None and result.verdict is not Verdict.CORRECT:
        chosen = m.fill(_("You chose: {option}"), option=m.content(result.chosen_option))
        items.append((Mark.ANSWER, chosen))
    if result.why:
        items.append((Mark.ANSWER, m.fill(_("Why: {why}"), why=m.content(result.why))))
    if result.correct_option:
        option = m.strong(m.content(result.correct_option))
        items.append((Mark.ANSWER, m.fill(_("Right answer: {option}"), option=option)))
    return items


def fallback_note(reason: str | None) -> str | None:
    """Why an answer got the keyword grade although LLM grading is on (None: nothing to say;
    an answer the keyword checks refused already carries their note)."""
    if reason == "daily_limit":
        return _("Today's limit for model grading is reached, so this is the keyword grade.")
    if reason in ("timeout", "error", "invalid"):
        return _("The model grader was unavailable, so this is the keyword grade.")
    return None


def feedback_lines(result: AnswerResult, m: Markup = PLAIN) -> list[str]:
    """`feedback_items` as lines behind the platform's markers."""
    return [m.line(kind, text) for kind, text in feedback_items(result, m)]


def self_grade_question() -> str:
    """Asked after a self-graded answer; the rating buttons or /rate answer it."""
    return _("How well did you know it? Again, Hard, Good or Easy?")


def rate_hint() -> str:
    return _("Rate how well you knew it to schedule a review.")


def your_result() -> str:
    """A group reply's head before the hidden feedback; `{name}` is the answerer."""
    return _("{name}, your result")


def the_answer_for() -> str:
    """A group reply's head before a hidden reveal; `{name}` is who asked."""
    return _("{name}, the answer:")


def from_group(title: str) -> str:
    """Above private copies of group feedback."""
    return _("From {group}:").format(group=title or _("the group"))


def feedback_sent_privately() -> str:
    return _("{name}: feedback sent to our private chat.")


def in_short() -> str:
    return _("In short: {answer}")


def edited_note() -> str:
    return _("(edited answer)")


def details_in_private() -> str:
    return _("(open your direct messages to me for the details)")


# --- streaks and stats ------------------------------------------------------------------


def streak(view: StreakView, m: Markup = PLAIN) -> str:
    """`Streak: 3 days, best 5, 1 freeze; answered today.`"""
    if view.answered_today:
        template = _("Streak: {days}, best {best}, {freezes}; answered today.")
    else:
        template = _("Streak: {days}, best {best}, {freezes}; not answered today yet.")
    return m.fill(
        template, days=days(view.current, m), best=view.best, freezes=m.text(freezes(view.freezes))
    )


def stats_title() -> str:
    return _("Your statistics")


def stats_lines(view: StatsView, m: Markup = PLAIN, *, tags: int = 10) -> list[str]:
    lines = [
        m.fill(
            _("Answered {answered}, accuracy {accuracy}, points this week {points}"),
            answered=m.strong(str(view.answered)),
            accuracy=m.strong(percent(view.accuracy)),
            points=m.strong(str(view.points_week)),
        ),
        streak(view.streak, m),
        m.fill(
            _("Reviews due: {due}; time zone {zone}"),
            due=m.strong(str(view.due_reviews)),
            zone=m.user(view.timezone),
        ),
    ]
    lines += [
        m.line(
            Mark.ITEM,
            m.fill(
                _("{topic}: {answered} answered, {accuracy}"),
                topic=m.code(tag.tag),
                answered=tag.answered,
                accuracy=percent(tag.accuracy),
            ),
        )
        for tag in view.by_tag[:tags]
    ]
    if view.interviews:
        lines.append(
            m.fill(
                ngettext(
                    "Interviews: {count} round, last scores {scores}",
                    "Interviews: {count} rounds, last scores {scores}",
                    view.interviews,
                ),
                count=m.strong(str(view.interviews)),
                scores=m.text(", ".join(f"{score}/100" for score in view.interview_scores)),
            )
        )
    return lines


def stats_card_line(card: StatsCard, m: Markup = PLAIN) -> str:
    """The picture's numbers the stats lines lack: all-time points and this week's rank."""
    if card.rank is None:
        return m.fill(_("Points in all {points}"), points=m.strong(str(card.points_all)))
    return m.fill(
        _("Points in all {points}; rank this week {rank} of {count}"),
        points=m.strong(str(card.points_all)),
        rank=m.strong(str(card.rank)),
        count=card.ranked,
    )


def picture_written(path: str) -> str:
    return _("Picture written to {path}").format(path=path)


def picture_not_written(path: str, reason: str) -> str:
    return _("Could not write the picture to {path}: {reason}").format(path=path, reason=reason)


def picture_failed() -> str:
    return _("The picture could not be drawn this time; the numbers are above.")


def timezone(result: TimezoneResult, m: Markup = PLAIN) -> str:
    if result.own:
        template = _("Your time zone: {zone} (your own).")
    else:
        template = _("Your time zone: {zone} (following this chat's schedule).")
    return m.fill(template, zone=m.strong(m.user(result.effective)))


# --- quizzes ----------------------------------------------------------------------------


def summary_title(result: QuizSummary) -> str:
    return _("Quiz stopped") if result.stopped else _("Quiz finished")


def summary_counts(result: QuizSummary, m: Markup = PLAIN) -> str:
    return m.fill(
        _(
            "{correct} correct, {partial} partial, {incorrect} incorrect, {skipped} skipped "
            "of {total}; {points}."
        ),
        correct=result.correct,
        partial=result.partial,
        incorrect=result.incorrect,
        skipped=result.skipped,
        total=result.total,
        points=points(result.points, m),
    )


def summary_lines(
    result: QuizSummary, m: Markup = PLAIN, *, limit: int = 10, title: str | None = None
) -> list[str]:
    """The counts (behind `title`, marked up, where the platform puts it inline), then the
    questions worth reviewing."""
    counts = summary_counts(result, m)
    lines = [m.fill(_("{title}: {counts}"), title=title, counts=counts) if title else counts]
    if result.to_review:
        lines.append(m.strong(m.text(_("To review:"))))
        lines += [m.line(Mark.ITEM, m.content(ref.question)) for ref in result.to_review[:limit]]
    return lines


def quiz_conflict(answered: int, total: int) -> str:
    return _(
        "You already have a quiz running here ({answered}/{total} answered). Continue it, or "
        "stop it and start a new one."
    ).format(answered=answered, total=total)


def skipped(m: Markup, question: str) -> str:
    return m.fill(_("Skipped: {question}"), question=m.quiet(question))


# --- reveals ----------------------------------------------------------------------------


def short_answer_title() -> str:
    return _("Short answer")


def full_answer_title() -> str:
    return _("Full answer")


def key_points_title() -> str:
    return _("Key points")


def reveal_notes(result: RevealResult, full: str) -> list[str]:
    """Notes under a reveal; `full` is how this platform asks for the full answer (a
    button label or a command), already marked up."""
    notes = []
    if not result.full:
        notes.append(_("Use {full} for the full answer.").format(full=full))
    if result.points_forfeited and result.kind is not AnswerKind.REVIEW:
        notes.append(_("Revealed before answering: an answer now earns no points."))
    notes.append(rate_hint())
    return notes


def channel_reveal_title(day: str) -> str:
    return _("Answer to the question of {day}").format(day=day)


def answered_count(count: int) -> str:
    if not count:
        return _("Nobody answered this one. Tomorrow's your chance!")
    return _("{count} answered.").format(count=count)


def score_line(line: ScoreLine, m: Markup = PLAIN) -> str:
    return m.fill(
        _("{name} — {verdict}, {points}"),
        name=m.user(line.display_name),
        verdict=m.verdict(line.verdict, m.text(verdict_label(line.verdict))),
        points=m.text(points(line.points)),
    )


# --- leaderboards -----------------------------------------------------------------------


def period_title(period: Period) -> str:
    return _(PERIODS.get(period, period.value))


def leaderboard_title(view: LeaderboardView) -> str:
    return _("Leaderboard · {period}").format(period=period_title(view.period))


def leader_line(row: LeaderboardRow, m: Markup = PLAIN, *, rank: str | None = None) -> str:
    return m.fill(
        _("{rank} {name} — {points} pts · {answered} answered · {accuracy} · streak {streak}"),
        rank=rank if rank is not None else m.strong(f"{row.rank}."),
        name=m.user(row.display_name),
        points=m.strong(str(row.points)),
        answered=row.answered,
        accuracy=percent(row.accuracy),
        streak=row.streak,
    )


def leaderboard_lines(
    view: LeaderboardView, m: Markup, optin: str, *, medals: tuple[str, ...] = ()
) -> list[str]:
    """The rows, the caller's own row when further down, and a note when they are hidden;
    `optin` is how this platform shows a hidden user again."""
    lines = [
        leader_line(row, m, rank=medals[row.rank - 1] if row.rank <= len(medals) else None)
        for row in view.rows
    ]
    if not lines:
        lines.append(m.text(_("No points yet: answer the daily question to get on the board.")))
    caller = view.caller
    if caller is not None and all(row.user != caller.user for row in view.rows):
        lines += ["…", leader_line(caller, m)]
    if view.caller_opted_out:
        note = m.fill(_("You are hidden from leaderboards ({optin} to show)."), optin=optin)
        lines.append(m.quiet(note))
    return lines


def since(view: LeaderboardView, when: str) -> str:
    return _("Since {when} ({zone})").format(when=when, zone=view.timezone)


# --- schedules --------------------------------------------------------------------------


def schedule_heading(view: ScheduleView, m: Markup = PLAIN) -> str:
    """`Daily question at 09:00 Europe/Berlin, daily — paused`."""
    heading = m.fill(
        _("{title} at {time} {zone}, {days}"),
        title=m.strong(m.text(_("Daily question"))),
        time=m.text(view.time),
        zone=m.text(view.timezone),
        days=m.text(view.weekdays),
    )
    if view.paused:
        heading = m.fill(_("{schedule} — {paused}"), schedule=heading, paused=m.strong(_("paused")))
    return heading


def schedule_usage() -> str:
    """How /schedule is typed, for the platforms that type their commands."""
    return _(
        "Usage: /schedule HH:MM [Area/City] [daily|mon-fri|mon,wed,fri] [topics...] "
        "[reveal=12h], /schedule to show it, /schedule pause|resume|off."
    )


def schedule_details(view: ScheduleView) -> str:
    return _("Topics: {topics}; {reveal}.").format(
        topics=schedule_topics(view), reveal=schedule_reveal(view)
    )


def next_post(when: str) -> str:
    return _("Next: {when}").format(when=when)


def schedule_topics(view: ScheduleView) -> str:
    topics = ", ".join(view.topics) if view.topics else _("all topics")
    return _("{topics} ({questions})").format(topics=topics, questions=questions(view.pool_size))


def schedule_broken(m: Markup, broken: BrokenChat, since: str, resume: str) -> str:
    """Why a schedule stopped posting (the platform refused the chat) and how to resume;
    `since` is the time as the platform shows it (marked up), `resume` its resume command."""
    return m.fill(
        _(
            "{paused}: I could not post here since {since} ({reason}). Give me permission to "
            "send messages here, then resume with {resume}."
        ),
        paused=m.strong(m.text(_("The daily question is paused"))),
        since=since,
        reason=m.user(broken.reason),
        resume=m.code(resume),
    )


def schedule_reveal(view: ScheduleView) -> str:
    if view.reveal_delay_hours:
        return _("answer revealed after {hours} h").format(hours=view.reveal_delay_hours)
    return _("no automatic reveal")


# --- prompts and hints ------------------------------------------------------------------


def type_a_letter() -> str:
    return _("Type a letter (or number) and press Enter.")


def type_an_answer(help_command: str) -> str:
    return _(
        "Type your answer; an empty line sends it (Esc-Enter on a terminal). {help} lists "
        "commands."
    ).format(help=help_command)


def pick_an_option() -> str:
    return _("Pick an option below.")


def reply_with_answer() -> str:
    return _("Reply to this message with your answer.")


def pick_or_reply() -> str:
    return _("Pick an option, or reply with your answer.")


def press_answer() -> str:
    return _("Press Answer to reply.")


def difficulty_title() -> str:
    return _("Difficulty")


def answer_revealed_title() -> str:
    return _("Answer revealed")


def commands_title() -> str:
    return _("Commands")


def topics_hint(quiz: str, schedule: str) -> str:
    """Under the topic list: where topics are used, in this platform's command syntax."""
    return _("Use them with {quiz} or {schedule}.").format(quiz=quiz, schedule=schedule)


def topics_title() -> str:
    return _("Topics")


def decks_title() -> str:
    return _("Decks")


def no_topics() -> str:
    return _("No topics yet.")


def rated(m: Markup, rating: str, due: str) -> str:
    """`Rated good: next review in 3 days.`; `due` is marked up by the platform."""
    return m.fill(_("Rated {rating}: next review {due}."), rating=m.strong(m.text(rating)), due=due)


def question_of_the_day(day: str) -> str:
    return _("Question of the day · {day}").format(day=day)


def quiz_title() -> str:
    return _("Quiz")


def review_title(due: int) -> str:
    return _("Review · {due} due").format(due=due)


def answer_title() -> str:
    return _("Answer")


def question_ref(item_id: str) -> str:
    return _("question {id}").format(id=item_id)


def no_reviews(next_due: str | None, *, quiz: str, daily: str) -> str:
    """Nothing to review; `next_due` is when the next card is due, as the platform says it;
    `quiz` and `daily` are this platform's commands."""
    if next_due is None:
        return _("No review cards yet: answer a few questions first ({quiz} or {daily}).").format(
            quiz=quiz, daily=daily
        )
    return _("No reviews due. The next card is due {when}.").format(when=next_due)


def schedule_fields(view: ScheduleView) -> list[tuple[str, str]]:
    """A schedule as label/value pairs, for platforms that show it as a form."""
    reveal = (
        _("after {hours} h").format(hours=view.reveal_delay_hours)
        if view.reveal_delay_hours
        else _("off")
    )
    return [
        (_("Time:"), f"{view.time} ({view.timezone})"),
        (_("Days:"), view.weekdays),
        (_("Topics:"), schedule_topics(view)),
        (_("Reveal:"), reveal),
        (_("Discussion thread:"), _("on") if view.thread else _("off")),
    ]


def paused_title() -> str:
    return _("Paused")


def paused_resume() -> str:
    return _("{paused} ({resume} to continue)")


def next_post_label() -> str:
    return _("Next post:")


def forget_title() -> str:
    return _("Delete your data?")


def forget_warning(deadline: str) -> str:
    return _(
        "This deletes your answers, streaks, review cards, quiz sessions, reports and "
        "settings on every server. It cannot be undone.\n\nConfirm {deadline} at the latest."
    ).format(deadline=deadline)


# --- failures ---------------------------------------------------------------------------


def not_here() -> str:
    return _("You can't use this command here.")


def bad_option() -> str:
    return _("One of the options has a value I can't use; please check it.")


def slow_down(platform: str) -> str:
    return _("{platform} asked me to slow down; please try again in a minute.").format(
        platform=platform
    )


# --- buttons ----------------------------------------------------------------------------

BUTTONS = {
    "show": N_("Show answer"),
    "full": N_("Full answer"),
    "skip": N_("Skip"),
    "stop": N_("Stop"),
    "continue": N_("Continue"),
    "stop_it": N_("Stop it"),
    "next_review": N_("Next review"),
    "delete": N_("Delete my data"),
    "cancel": N_("Cancel"),
    "private": N_("Feedback in private"),
    "again": N_("Again"),
    "hard": N_("Hard"),
    "good": N_("Good"),
    "easy": N_("Easy"),
}


def button(name: str) -> str:
    """A button's caption (a rating's name for the rating buttons); platforms add icons."""
    return _(BUTTONS[name])


def button_expired() -> str:
    return _("This button has expired.")


def sent_privately() -> str:
    return _("Sent to our private chat.")


def only_revealer_rates() -> str:
    return _("Only the person who revealed this can rate it.")


def own_reviews(review: str) -> str:
    """Someone pressed another user's Next review; `review` is this platform's command."""
    return _("Send {review} for your own cards.").format(review=review)


def only_asker_confirms() -> str:
    return _("Only the person who asked can confirm this.")


# --- replies to commands ----------------------------------------------------------------


def welcome(name: str) -> str:
    """`{name}` is the bot's name, marked up by the caller."""
    return _("Welcome to {name}!").format(name=name)


def private_feedback_on() -> str:
    return _("Done: feedback on your group answers now comes to this chat.")


def unknown_command() -> str:
    """`{command}` is what the user typed, `{help}` this platform's help command."""
    return _("I don't know {command}. {help} lists what I understand.")


def leaderboard_hidden() -> str:
    return _("You are now hidden from leaderboards.")


def leaderboard_shown() -> str:
    return _("You are back on the leaderboards.")


def report_recorded() -> str:
    """`{number}` is the report's number, `{id}` the reported question's id (marked up by
    the caller)."""
    return _("Thanks: your report #{number} on {id} was recorded for the maintainers.")


def forget_cancelled() -> str:
    return _("Cancelled: nothing was deleted.")


def forget_done() -> str:
    return _("Done: everything stored about you is deleted.")


def forget_confirm() -> str:
    """`{button}` is the delete button's caption, `{command}` the typed confirmation."""
    return _(
        "This deletes your answers, streaks, review cards, quizzes, reports and settings "
        "for good. Press {button} (or send {command}) within 10 minutes."
    )


def general_tag() -> str:
    """Shown instead of the tags of a question that has none."""
    return _("general")


# --- schedules, for chat admins ---------------------------------------------------------


def admins_only(schedule: str) -> str:
    return _(
        "Sorry, only this chat's administrators can manage the daily question. "
        "Ask an admin to run {schedule}."
    ).format(schedule=schedule)


def not_scheduled(example: str, usage: str) -> str:
    """No schedule yet; `example` and `usage` are how this platform sets one up."""
    return _("This chat has no daily question yet. Start one with {example} ({usage}).").format(
        example=example, usage=usage
    )


def schedule_off(removed: bool) -> str:
    if removed:
        return _("The daily question is off; history and leaderboards stay.")
    return _("There was no daily question scheduled here.")


SCHEDULE_CHANGES = {
    "subscribe": N_("Scheduled."),
    "pause": N_("Paused."),
    "resume": N_("Resumed."),
}


def schedule_changed(action: str) -> str:
    """`Scheduled.`, `Paused.` or `Resumed.` above the schedule."""
    return _(SCHEDULE_CHANGES[action])


def about_chat() -> str:
    """The head of a notice sent privately to a chat's admins."""
    return _("{name}, about chat {chat}:")


# --- the console ------------------------------------------------------------------------


def console_started() -> str:
    """`{name}` is the program, `{help}` the help command."""
    return _("{name} practice — {help} lists the commands.")


def not_kept_notice() -> str:
    return _(
        "Your answers are not kept: DATABASE_URL is an in-memory database, so everything ends "
        "with this session. Set DATABASE_URL=sqlite:///prepbot.db to keep them."
    )


def bye(kept: bool) -> str:
    if kept:
        return _("Bye — your answers are saved.")
    return _("Bye — your answers are not kept (in-memory database).")


def rate_usage() -> str:
    return _("Rate it with /rate again, /rate hard, /rate good or /rate easy.")


def nothing_to_send() -> str:
    return _("Nothing to send: type an answer first.")


def nothing_to_answer(daily: str, quiz: str, review: str) -> str:
    return _("Nothing to answer right now: try {daily}, {quiz} or {review}.").format(
        daily=daily, quiz=quiz, review=review
    )


def choose_option(last: str) -> str:
    """An answer that names no option; `last` is the last option's letter."""
    return _("Choose A-{last}.").format(last=last)


def next_card_hint(review: str) -> str:
    return _("{review} for the next card.").format(review=review)


def nothing_to_reveal(daily: str, quiz: str, review: str) -> str:
    return _(
        "Nothing to reveal: no question is on screen. {daily} shows today's question, "
        "{quiz} and {review} start practice."
    ).format(daily=daily, quiz=quiz, review=review)


def nothing_to_rate(reveal: str) -> str:
    return _("Nothing to rate yet: answer a question or {reveal} it first.").format(
        reveal=reveal
    )


def answer_to() -> str:
    """Before the question a reveal is about."""
    return _("Answer to")


def rate_which() -> str:
    """Before the question `/rate` would rate."""
    return _("Rate")


def rated_which(rating: str) -> str:
    """Before the question just rated."""
    return _("Rated {rating}:").format(rating=rating)


def next_review_at(when: str) -> str:
    return _("Next review {when}.").format(when=when)


def quiz_running(answered: int, total: int, stop: str, quiz: str) -> str:
    """A second quiz asked for on a platform without buttons to continue or stop."""
    return _(
        "A quiz is already running ({answered} of {total} answered). Type {stop} to end it, "
        "then {quiz} again."
    ).format(answered=answered, total=total, stop=stop, quiz=quiz)


def which_question(report: str) -> str:
    return _("Which question? {report}, or show one first.").format(report=report)


def report_what(report: str) -> str:
    return _("Say what is wrong: {report} (about the question on screen).").format(report=report)


def quiz_not_started() -> str:
    return _("Could not start a quiz; please try again.")
