"""Words only Discord says: its slash-command and option descriptions, its answer form,
its help and the replies that name its forms, buttons or permissions.

Whatever Discord says the same way as the other platforms is in `wording` and `helptext`.
The descriptions are message ids marked with `N_`: Discord shows each user the
description in their own language, which the adapter's translator looks up when the
commands are synced.
"""

from __future__ import annotations

from bot.errors import Notice
from bot.presentation import helptext, wording
from bot.presentation.i18n import N_, _, pgettext
from bot.presentation.markup import PLAIN, Markup

# What each slash command does, as Discord's command picker shows it; keyed by the
# command's qualified name. Where the typed-command menu says the same, it is reused.
DESCRIPTIONS: dict[str, str] = {
    "interview": N_("A timed mock interview in private, with a report at the end"),
    "interview-stop": N_("End your mock interview now, with its report"),
    "daily": N_("Post today's question in this channel"),
    "answer": N_("Answer your quiz question or today's one"),
    "reveal": helptext.MENU["reveal"],
    "quiz": N_("Start a personal quiz"),
    "review": N_("Your next due review card"),
    "streak": N_("Your current and best streak"),
    "stats": helptext.MENU["stats"],
    "leaderboard": N_("This server's leaderboard"),
    "leaderboard-optout": N_("Hide yourself from leaderboards (or show again)"),
    "topics": N_("The topics you can practise"),
    "timezone": N_("Show or set your time zone"),
    "report": N_("Report a problem with a question"),
    "forget": helptext.MENU["forget"],
    "help": N_("What prepbot can do"),
    "schedule": N_("The channel's daily question (Manage Server)"),
    "schedule set": N_("Create or change the daily question"),
    "schedule show": N_("Show this channel's schedule"),
    "schedule pause": N_("Pause the daily question"),
    "schedule resume": N_("Resume the daily question"),
    "schedule off": N_("Stop the daily question in this channel"),
    "deck": N_("This server's own decks"),
    "deck add": N_("Upload a deck file (Manage Server)"),
    "deck list": N_("List this server's decks"),
    "deck show": N_("Show a deck and its first questions"),
    "deck remove": N_("Remove a deck (Manage Server)"),
    "deck export": N_("Send a deck back as prepbot YAML"),
}

# Each command's options, as the form explains them.
OPTIONS: dict[str, dict[str, str]] = {
    "interview": {
        "topic": N_("A tag or deck (see /topics); default: a mix"),
        "questions": N_("How many questions (3-10, default 5)"),
        "minutes": N_("Minutes per question (1-10, default 3)"),
    },
    "quiz": {
        "topic": N_("A tag or deck (see /topics)"),
        "count": N_("How many questions (1-20, default 5)"),
        "difficulty": N_("Only questions of this difficulty"),
    },
    "leaderboard": {
        "window": N_("week (default), month or all time"),
        "chart": N_("True adds a picture of this week's points by day"),
    },
    "leaderboard-optout": {"hide": N_("True hides you (default), False shows you again")},
    "timezone": {"zone": N_("An IANA zone such as Europe/Berlin, or reset")},
    "report": {
        "item": N_("The question id (in the question's footer)"),
        "reason": N_("What is wrong"),
    },
    "schedule set": {
        "time": N_("Local time HH:MM (24-hour)"),
        "timezone": N_("IANA time zone, e.g. Europe/Berlin"),
        "weekdays": N_("daily, mon-fri, weekends, or a list like mon,wed,fri"),
        "topics": N_("Comma-separated tags or decks (empty: all topics)"),
        "reveal_after_hours": N_("Post the answer this many hours later (0: never)"),
        "thread": N_("Open a discussion thread under each question"),
    },
    "deck add": {
        "file": N_("The deck file: YAML, CSV/TSV, Anki export or package, markdown"),
        "format": N_("The file's format, when it is not detected"),
    },
    "deck show": {"id": N_("The deck id (see /deck list)")},
    "deck remove": {
        "id": N_("The deck id (see /deck list)"),
        "confirm": N_("True removes it at once"),
    },
    "deck export": {"id": N_("The deck id (see /deck list)")},
}

# Replies that name Discord's own buttons, forms and permissions.
STALE_BUTTON = Notice("This button is out of date; use the latest message or the slash commands.")
FIRST_SCHEDULE = "`/schedule set time:09:00`"
NEED_TIME = Notice("Give a time for the first schedule, e.g. {example}.", example=FIRST_SCHEDULE)


def not_subscribed() -> str:
    """The shared sentence, with how a schedule is set up in Discord's form."""
    return wording.not_scheduled(
        FIRST_SCHEDULE, _("time zone, days, topics and reveal are optional")
    )


def answer_button() -> str:
    """Opens the answer form (the other platforms take answers as messages)."""
    return pgettext("button", "Answer")


def schedule_set_title(created: bool) -> str:
    return _("Daily question scheduled") if created else _("Schedule updated")


def schedule_title() -> str:
    return _("Daily question")


def schedule_paused_title() -> str:
    return _("Schedule paused")


def schedule_resumed_title() -> str:
    return _("Schedule resumed")


def not_manager() -> str:
    return _("Only members with the Manage Server permission can change the schedule.")


def skipped_note() -> str:
    """Above the next quiz question after Skip."""
    return _("Skipped.")


def answer_form_title() -> str:
    return _("Your answer")


def answer_form_hint() -> str:
    return _("Explain in your own words.")


def help_text(m: Markup = PLAIN, llm: bool = False) -> str:
    """The /help text: each command's syntax (never translated) and what it does; `llm`:
    LLM grading is on."""

    def heading(text: str) -> str:
        return m.strong(m.text(text))

    explained = helptext.explained
    return "\n".join(
        [
            heading(_("Practice")),
            f"`/daily` {explained('daily')} · `/answer` {_('answer it (or your quiz question)')}",
            f"`/reveal` {explained('reveal')} · `/quiz topic count difficulty` "
            f"{_('a personal quiz')}",
            f"`/review` {explained('review')} · `/topics` {_('what you can practise')}",
            f"`/interview topic questions minutes` {explained('interview')}",
            f"`/deck list|show|export` {explained('deck')}",
            heading(_("You")),
            "`/streak` · `/stats` · `/timezone zone` · `/leaderboard window chart` · "
            "`/leaderboard-optout`",
            f"`/report item reason` {_('a problem with a question')} · "
            f"`/forget` {explained('forget')}",
            heading(_("Admins (Manage Server)")),
            "`/schedule set time timezone weekdays topics reveal_after_hours thread`",
            "`/schedule show|pause|resume|off`",
            f"`/deck add file format` {_('uploads a deck file')} · `/deck remove id`",
            _("Buttons under each question answer it privately; nobody else sees your feedback."),
            m.quiet(m.text(helptext.grading_mode(llm))),
        ]
    )


__all__ = [
    "DESCRIPTIONS",
    "FIRST_SCHEDULE",
    "NEED_TIME",
    "OPTIONS",
    "STALE_BUTTON",
    "answer_button",
    "answer_form_hint",
    "answer_form_title",
    "help_text",
    "not_manager",
    "not_subscribed",
    "schedule_paused_title",
    "schedule_resumed_title",
    "schedule_set_title",
    "schedule_title",
    "skipped_note",
]
