"""Feedback on choice answers: the option picked and why, no rubric key points; flashcard
options whose punctuation gives nothing away."""

from __future__ import annotations

from fsrs import Scheduler

from bot.content.schema import Item, Option
from bot.domain.choices import clean_option, flashcard_options
from bot.domain.models import Verdict
from bot.grading.lexical import LexicalGrader
from bot.services import Services, build_services
from bot.storage.memory import MemoryStore
from tests.factories import ALICE, BOB, CHAT, FakeClock, bank, deck, flashcard, key_points

WHY = "Layer norm normalises over the features of one example, not over the batch."


def mcq_with_why() -> Item:
    return Item(
        id="quiz/norm",
        type="mcq",
        question="Which normalises each feature over the mini-batch?",
        options=[
            Option(text="Batch normalization.", correct=True, why="It uses batch statistics."),
            Option(text="Layer normalization", why=WHY),
            Option(text="Dropout"),
        ],
        answer="Batch normalization uses mini-batch mean and variance.",
        short_answer="Batch normalization.",
        key_points=key_points(("Uses mini-batch statistics.", ["mini-batch"])),
        tags=["normalization"],
    )


def cards() -> list[Item]:
    # Mixed punctuation, as in the shipped decks: some definitions end with ".", some not.
    return [
        flashcard("quiz/relu", "Max of zero and x."),
        flashcard("quiz/sigmoid", "Squashes to between zero and one"),
        flashcard("quiz/tanh", "Squashes to between minus one and one."),
        flashcard("quiz/softmax", "Turns scores into probabilities"),
    ]


def services_for(*items: Item) -> Services:
    return build_services(
        MemoryStore(), bank(deck("quiz", items)), FakeClock(), LexicalGrader(),
        scheduler=Scheduler(enable_fuzzing=False),
    )


async def test_wrong_mcq_choice_says_why_and_lists_no_key_points() -> None:
    services = services_for(mcq_with_why())
    start = await services.quizzes.start(ALICE, CHAT, "quiz", 1)
    assert start.question is not None
    assert start.question.options == (
        "Batch normalization", "Layer normalization", "Dropout"
    )
    wrong = await services.quizzes.answer(ALICE, CHAT, choice=2)
    assert wrong.verdict is Verdict.INCORRECT
    assert (wrong.covered, wrong.missed) == ((), ())
    assert (wrong.chosen_option, wrong.why) == ("Layer normalization", WHY)
    assert wrong.correct_option == "Batch normalization"
    # An option without a `why` still names the pick and the right option.
    await services.quizzes.start(BOB, CHAT, "quiz", 1)
    plain = await services.quizzes.answer(BOB, CHAT, choice="Dropout")
    assert (plain.chosen_option, plain.why, plain.covered, plain.missed) == (
        "Dropout", None, (), ()
    )


async def test_right_mcq_choice_lists_no_key_points() -> None:
    services = services_for(mcq_with_why())
    await services.quizzes.start(ALICE, CHAT, "quiz", 1)
    right = await services.quizzes.answer(ALICE, CHAT, choice=1)
    assert right.verdict is Verdict.CORRECT
    assert (right.covered, right.missed) == ((), ())
    assert right.why == "It uses batch statistics."


async def test_wrong_flashcard_choice_names_the_term_it_defines() -> None:
    services = services_for(*cards())
    start = await services.quizzes.start(ALICE, CHAT, "quiz", 1)
    assert start.question is not None
    item = services.quizzes.bank.items[start.question.item_id]
    others = [c for c in cards() if c.id != item.id]
    right = clean_option(item.definition or "")
    wrong_option = next(o for o in start.question.options if o != right)
    owner = next(c for c in others if clean_option(c.definition or "") == wrong_option)
    result = await services.quizzes.answer(ALICE, CHAT, choice=wrong_option)
    assert result.verdict is Verdict.INCORRECT and (result.covered, result.missed) == ((), ())
    assert result.why == f"That describes {owner.term}, not {item.term}."
    assert result.correct_option == clean_option(item.definition or "")


def test_flashcard_options_share_their_punctuation() -> None:
    items = cards()
    for item in items:
        options = flashcard_options(item, items, item.id)
        assert len(options) == 4
        assert not [o for o in options if o.endswith(".")], options
        assert clean_option(item.definition or "") in options


def test_clean_option() -> None:
    assert clean_option("Max of zero and x.") == "Max of zero and x"
    assert clean_option("  Turns scores into probabilities ") == "Turns scores into probabilities"
    assert clean_option("max(0, x).") == "max(0, x)"
    assert clean_option("and so on...") == "and so on..."  # an ellipsis is not punctuation noise
    assert clean_option("e.g. 32 to 256") == "e.g. 32 to 256"


async def test_the_right_flashcard_option_is_graded_correct() -> None:
    services = services_for(*cards())
    start = await services.quizzes.start(ALICE, CHAT, "quiz", 4)
    assert start.question is not None
    question = start.question
    for _ in range(4):
        item = services.quizzes.bank.items[question.item_id]
        number = question.options.index(clean_option(item.definition or "")) + 1
        result = await services.quizzes.answer(ALICE, CHAT, choice=number)
        assert result.verdict is Verdict.CORRECT and not result.missed
        if result.next_question is None:
            break
        question = result.next_question
