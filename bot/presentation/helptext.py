"""Help texts and command descriptions, in the catalogue: each platform pairs them with its
own command syntax (the syntax is not translated, the descriptions are)."""

from __future__ import annotations

from bot.presentation.i18n import N_, _

# What each command does, as a platform's command menu shows it.
MENU = {
    "start": N_("Start the bot"),
    "help": N_("What I can do"),
    "daily": N_("Today's question here"),
    "answer": N_("Answer the question (or reply to it)"),
    "reveal": N_("Show the answer (again: the full one)"),
    "quiz": N_("A quiz: [topic] [count] [difficulty]"),
    "review": N_("Your due review cards"),
    "streak": N_("Your streak"),
    "leaderboard": N_("Board: week, month, all, optout, optin"),
    "stats": N_("Your statistics"),
    "topics": N_("Topics for /quiz and /schedule"),
    "timezone": N_("Your time zone: Area/City"),
    "report": N_("Reply to a question: report a problem"),
    "forget": N_("Delete everything stored about you"),
    "schedule": N_("Admins: the daily question schedule"),
    "interview": N_("A timed mock interview: [topic] [questions] [minutes]"),
    "deck": N_("This chat's own decks: list, show, export; admins add, remove"),
}

# What each command does, as the help text explains it.
EXPLAINED = {
    "daily": N_("today's question in this chat"),
    "answer": N_("answer it (or reply to the question message)"),
    "reveal": N_("show the answer (press again for the full one)"),
    "quiz": N_("a personal quiz, e.g. {example}"),
    "review": N_("your due review cards (spaced repetition)"),
    "streak-stats": N_("your streak and your statistics"),
    "leaderboard": N_("this chat's board"),
    "leaderboard-chart": N_("this week's points by day, as a picture"),
    "topics": N_("topics for /quiz and /schedule"),
    "timezone": N_("your time zone (reset: follow the chat)"),
    "report": N_("as a reply to a question: report a problem"),
    "forget": N_("delete everything stored about you"),
    "interview": N_("a timed mock interview in private, with a report at the end"),
    "deck": N_("this chat's own decks: list them, show one or export it as YAML"),
}


def menu(command: str) -> str:
    return _(MENU[command])


def explained(command: str, **values: str) -> str:
    return _(EXPLAINED[command]).format(**values)


def tagline() -> str:
    return _("{name} — daily interview practice for deep learning.")


def admins_title() -> str:
    return _("Admins")


def admin_schedule(set_syntax: str, show: str, manage: str) -> str:
    return _("{set}, {show} to show it, {manage}.").format(
        set=set_syntax, show=show, manage=manage
    )


def admin_decks(add: str, remove: str) -> str:
    """How an admin adds a deck where files are sent as messages (a caption or a reply),
    and removes one, in the platform's syntax."""
    return _(
        "{add} as the caption of a deck file, or in reply to one, adds it (YAML, CSV/TSV, "
        "Anki export or package, markdown); {remove} removes one."
    ).format(add=add, remove=remove)


def groups_note() -> str:
    return _(
        "In groups, feedback on your answers is hidden under a spoiler; start me in a private "
        "chat to get it there instead."
    )


def welcome_group() -> str:
    """The greeting in a new group; `{start}` and `{help}` are this platform's commands."""
    return _(
        "Hi! I post one deep-learning interview question a day and grade your answers.\n"
        "An admin can start it with {start}; {help} lists everything."
    )


# The console's help table: each command's typed syntax and what it does.
CONSOLE = (
    (
        "/quiz [topic] [count] [difficulty]",
        N_(
            "start a quiz, e.g. /quiz transformers 5 medium (count 1-20; difficulty easy, "
            "medium or hard)"
        ),
    ),
    (
        "/interview [topic] [questions] [minutes]",
        N_(
            "a timed mock interview with follow-ups and a report, e.g. /interview attention "
            "5 3 (3-10 questions, 1-10 minutes each); /interview stop ends it"
        ),
    ),
    ("/review", N_("answer your due review cards")),
    (
        "/deck add PATH [format:NAME]",
        N_(
            "add a deck from a file: YAML, CSV/TSV, Anki export or package, markdown (the "
            "format is detected, or named, e.g. format:csv)"
        ),
    ),
    (
        "/deck list|show ID|export ID|remove ID",
        N_("your own decks: list them, show one, print it as YAML, or remove it"),
    ),
    (
        "/reveal",
        N_(
            "show the reference answer of the quiz question you just answered or skipped, "
            "else of the question on screen (twice: the full one)"
        ),
    ),
    (
        "/rate again|hard|good|easy",
        N_("rate the question you answered or revealed, for spaced repetition"),
    ),
    ("/skip, /stop", N_("skip a quiz question, stop the quiz")),
    ("/daily", N_("back to today's question")),
    ("/streak, /stats, /topics", N_("your streak, your statistics, the topics")),
    (
        "/stats --png [PATH]",
        N_("your statistics, and their picture written to PATH (default {stats_png})"),
    ),
    ("/leaderboard [week|month|all]", N_("this chat's board")),
    (
        "/leaderboard week chart [--png [PATH]]",
        N_("the board, and this week's points by day as a picture written to PATH "
           "(default {week_png})"),
    ),
    ("/timezone [Area/City|reset]", N_("show or set your time zone")),
    (
        "/report [question id] <reason>",
        N_("report a problem with the question on screen (or the one named)"),
    ),
    ("/help, /quit", N_("this list, leave (Ctrl-D works too)")),
)


def console_commands(*, stats_png: str, week_png: str) -> list[tuple[str, str]]:
    """(syntax, what it does) per console command, in the current language, with the
    pictures' default paths."""
    return [
        (syntax, _(meaning).format(stats_png=stats_png, week_png=week_png))
        for syntax, meaning in CONSOLE
    ]


def console_answering() -> str:
    """How a console answer is typed and sent."""
    return _(
        "Anything else is an answer. An empty line sends it, except inside a ``` code fence; "
        "a line with only . or /send sends it too. On a terminal, pasted text never sends by "
        "itself and Esc-Enter (or Alt-Enter) sends at once. A command typed under an answer "
        "sends the answer first."
    )


def grading_mode(llm: bool) -> str:
    """Whether answers go to a language model, for /help (admins ask this)."""
    if llm:
        return _(
            "Grading: a language model reads each answer (it gets the question and the answer, "
            "never your name or this chat); keyword grading steps in when it is unavailable."
        )
    return _("Grading: by key points, on this server; answers are sent nowhere else.")
