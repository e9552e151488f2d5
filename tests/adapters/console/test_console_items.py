"""Console behaviour from issue 15: /rate and /reveal name their item, /report, times in
the user's zone, quiz argument errors, wrapping, and the shared wording."""

from __future__ import annotations

import io
import re
from dataclasses import replace

from bot.adapters.console import ConsoleSession
from bot.domain.models import AnswerKind, Verdict
from bot.ports import Store
from bot.presentation.wording import points_outcome
from bot.services.results import AnswerResult, StreakView
from tests.adapters.console.test_console import make_services, run_console
from tests.factories import ALICE, CHAT, GOOD, FakeClock


async def test_rate_and_reveal_refuse_without_a_question_and_name_their_item(
    store: Store,
) -> None:
    services = make_services(store)
    _, out = await run_console(services, "/rate good\n/quiz dl 2\n/rate good\n/stop\n/reveal\n")
    assert out.count("Nothing to rate yet") == 2  # shown is not answered: nothing to rate
    assert "Rated" not in out
    assert "Nothing to reveal: no question is on screen" in out  # not today's daily question
    assert "Short answer" not in out
    _, out = await run_console(services, f"/daily\n{GOOD}\n\n/rate\n/reveal\n/rate easy\n")
    assert "Rate it with /rate again, /rate hard, /rate good or /rate easy." in out
    assert re.search(r"Answer to Question dl/q\d\d\? \[dl/q\d\d\]", out)
    assert re.search(r"Rated easy: Question dl/q\d\d\? \[dl/q\d\d\]", out)


async def test_times_in_the_users_zone(store: Store) -> None:
    services = make_services(store)
    _, out = await run_console(
        services, f"/timezone Pacific/Pago_Pago\n{GOOD}\n\n/review\n/rate good\n"
    )
    # 2024-03-04 09:xx UTC is the evening before in Pago Pago (UTC-11).
    assert re.search(r"The next card is due 2024-03-03 2\d:\d\d \(Pacific/Pago_Pago\)", out)
    assert "Next review 2024-03-03 22:10 (Pacific/Pago_Pago)." in out
    assert "UTC" not in out


async def test_report_records_the_question_on_screen(store: Store) -> None:
    services = make_services(store)
    _, out = await run_console(services, "/report\n/report the answer is outdated\n")
    assert "Say what is wrong" in out
    assert re.search(r"your report #\d+ on dl/q", out)
    (report,) = await services.data.reports()
    assert report.reason == "the answer is outdated"


async def test_quiz_argument_errors_say_what_is_wrong(store: Store) -> None:
    services = make_services(store)
    _, out = await run_console(services, "/quiz dl -3\n/quiz dl 3 impossible\n")
    assert "A quiz has 1 to 20 questions, not -3" in out
    assert "'impossible' is not a difficulty" in out
    assert "One topic per quiz" not in out


async def test_help_and_feedback_wrap_at_the_width(store: Store) -> None:
    services = make_services(store)
    out = io.StringIO()
    session = ConsoleSession(
        services, io.StringIO("/help\n/streak\n"), out, user_id="tester", width=60
    )
    await session.run()
    lines = out.getvalue().splitlines()
    assert all(len(line.rstrip()) <= 60 for line in lines)
    text = " ".join(line.strip() for line in lines)
    assert "correct 10, partly right 5, incorrect 1" in text
    assert "at most 50 points a day" in text
    assert text.count("every 7th day in a row earns one") == 2  # /help and /streak
    # A wrapped command description continues under itself, not under the command.
    quiz = next(i for i, line in enumerate(lines) if line.startswith("  /quiz"))
    column = lines[quiz].index("start a quiz")
    assert lines[quiz + 1][:column].strip() == ""


async def test_review_heading_has_one_pair_of_parentheses(store: Store) -> None:
    clock = FakeClock()
    services = make_services(store, clock=clock)
    await run_console(services, f"{GOOD}\n\n")
    clock.advance(days=30)
    _, out = await run_console(services, "/review\n")
    assert "Review · 1 due — medium · regularization" in out
    assert ") (" not in out


def _result(**changes: object) -> AnswerResult:
    base = AnswerResult(
        item_id="dl/q01", kind=AnswerKind.DAILY, verdict=Verdict.INCORRECT, score=0.0,
        covered=(), missed=(), misconceptions=(), points=1, counted=True, forfeited=False,
        capped=False, short_answer="S.", correct_option=None,
        streak=StreakView(7, 7, 1, True),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_points_wording_is_singular_for_one_and_announces_freezes() -> None:
    assert points_outcome(_result()) == ("+1 point", True)
    assert points_outcome(_result(points=10))[0] == "+10 points"
    earned = points_outcome(_result(freeze_earned=True))[0]
    assert earned.startswith("+1 point. 7 days in a row: you earned a streak freeze")
    spent = points_outcome(_result(freeze_spent=True, streak=StreakView(3, 7, 0, True)))[0]
    assert "a streak freeze kept your streak going (0 freezes left)" in spent


async def test_answers_earn_and_spend_freezes(store: Store) -> None:
    clock = FakeClock()
    services = make_services(store, clock=clock)
    results = []
    for _day in range(7):
        await services.daily.today(CHAT)
        results.append(await services.answers.answer_daily(ALICE, CHAT, GOOD))
        clock.advance(days=1)
    assert [r.freeze_earned for r in results] == [False] * 6 + [True]
    clock.advance(days=1)  # a missed day
    await services.daily.today(CHAT)
    bridged = await services.answers.answer_daily(ALICE, CHAT, GOOD)
    assert bridged.freeze_spent and bridged.streak.current == 8
    assert "kept your streak going" in points_outcome(bridged)[0]


def test_feedback_names_contradicted_points_misconceptions_and_notes() -> None:
    from rich.console import Console

    from bot.adapters.console.render import feedback

    result = _result(
        verdict=Verdict.PARTIAL,
        contradicted=("Dropout is off at inference.",),
        misconceptions=("Dropout stays active at inference.",),
        notes=("You named the right ideas; now explain how they work, in sentences.",),
    )
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(feedback(result))
    text = out.getvalue()
    assert "You said the opposite: Dropout is off at inference." in text
    assert "Not quite: Dropout stays active at inference." in text
    assert "now explain how they work" in text


def test_choice_feedback_says_what_was_chosen_and_why() -> None:
    from rich.console import Console

    from bot.adapters.console.render import feedback

    result = _result(
        chosen_option="Adam",
        why="Adam is an optimiser, not an activation",
        correct_option="ReLU",
    )
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(feedback(result))
    text = out.getvalue()
    assert "You chose: Adam" in text
    assert "Why: Adam is an optimiser, not an activation" in text
    assert "Right answer: ReLU" in text
