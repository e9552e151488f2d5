"""The lexical grader: normalisation, negation, guards and a few fixed cases per verdict."""

from __future__ import annotations

import pytest

from bot.content.schema import Item, KeyPoint
from bot.domain.models import Verdict
from bot.grading.lexical import (
    MAX_CHARS,
    NOTE_PASTED,
    NOTE_RESTATED,
    NOTE_TOO_SHORT,
    NOTE_TRUNCATED,
    LexicalGrader,
)
from bot.grading.text import compact, fold

DROPOUT = Item(
    id="t/dropout",
    type="open",
    question="How does dropout work, and what changes at inference time?",
    answer=(
        "During training dropout zeroes each unit's activation independently with probability p "
        "on every forward pass, so the network cannot rely on any single unit and learns redundant "
        "features. With inverted dropout the surviving activations are scaled by 1/(1-p) so their "
        "expected value is unchanged. At inference dropout is switched off and nothing is scaled."
    ),
    short_answer="Random zeroing of units in training; off at inference.",
    key_points=[
        KeyPoint(
            text="Units are zeroed at random with probability p during training.",
            keywords=["randomly", "drop", "zero", "probability p", "deactivate"],
        ),
        KeyPoint(
            text="It prevents co-adaptation, like an ensemble of sub-networks.",
            keywords=["co-adaptation", "ensemble", "sub-network", "rely on"],
        ),
        KeyPoint(
            text="Kept activations are scaled by 1/(1-p) in training.",
            keywords=["1/(1-p)", "inverted dropout", "rescale", "expected value"],
        ),
        KeyPoint(
            text="Dropout is disabled at inference.",
            keywords=["disabled at inference", "turned off", "switched off", "model.eval"],
        ),
    ],
    misconceptions=["Dropout stays active at inference time."],
    tags=["regularization"],
)
RELU = Item(
    id="t/relu",
    type="flashcard",
    question="What is ReLU?",
    term="ReLU",
    definition="An activation that outputs max(0, x): positives pass, negatives become zero.",
    key_points=[
        KeyPoint(text="ReLU outputs max(0, x).", keywords=["max(0, x)", "zero for negative"]),
        KeyPoint(
            text="It does not saturate for positive inputs.", keywords=["saturate", "vanishing"]
        ),
    ],
)
MCQ = Item(
    id="t/mcq",
    type="mcq",
    question="Which is an activation?",
    options=[{"text": "ReLU", "correct": True}, {"text": "Adam"}],
    key_points=[KeyPoint(text="ReLU is an activation.", keywords=["relu"])],
)

grader = LexicalGrader()


@pytest.mark.parametrize(
    "spelling",
    ["1/(1-p)", "$\\frac{1}{1-p}$", "one over one minus p", "1 / (1 - p)", "\\dfrac{1}{1 - p}"],
)
def test_maths_notations_meet(spelling: str) -> None:
    assert compact(fold(spelling)) == compact(fold("1/(1-p)"))
    result = grader.grade(
        DROPOUT, f"the kept activations get multiplied by {spelling} while training"
    )
    assert "Kept activations are scaled by 1/(1-p) in training." in result.covered


def test_spoken_operators_leave_prose_alone() -> None:
    assert fold("accuracy improves over time") == "accuracy improves over time"


def test_misconception_asserted_is_penalised() -> None:
    text = (
        "Dropout zeroes random units with probability p and rescales by 1/(1-p), which prevents "
        "co-adaptation. Dropout stays active at inference time to keep predictions robust."
    )
    result = grader.grade(DROPOUT, text)
    assert result.misconceptions == ("Dropout stays active at inference time.",)
    assert result.verdict is not Verdict.CORRECT


def test_negated_misconception_is_not_penalised() -> None:
    text = "Dropout does not stay active at inference time; it only drops random units in training."
    assert grader.grade(DROPOUT, text).misconceptions == ()


def test_typos_still_match() -> None:
    text = (
        "units are randomy droped with probabilty p, it is an ensamble of subnetworks, "
        "swiched off at inferance"
    )
    result = grader.grade(DROPOUT, text)
    assert len(result.covered) >= 2


@pytest.mark.parametrize("text", ["", "   ", "dropout", "idk"])
def test_empty_and_one_word_answers(text: str) -> None:
    result = grader.grade(DROPOUT, text)
    assert (result.verdict, result.score) == (Verdict.INCORRECT, 0.0)
    assert NOTE_TOO_SHORT in result.notes


def test_copied_question_is_incorrect() -> None:
    result = grader.grade(DROPOUT, "How does dropout work and what changes at inference time?")
    assert result.verdict is Verdict.INCORRECT
    assert NOTE_RESTATED in result.notes


def test_pasted_reference_is_noticed_and_not_rewarded() -> None:
    result = grader.grade(DROPOUT, DROPOUT.answer)
    assert result.verdict is Verdict.INCORRECT
    assert result.score == 0.0
    assert NOTE_PASTED in result.notes


def test_very_long_answer_is_truncated_not_crashing() -> None:
    text = "Dropout zeroes random units with probability p. " * 2000
    result = grader.grade(DROPOUT, text)
    assert NOTE_TRUNCATED in result.notes
    assert len(text) > MAX_CHARS


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        (
            "In training each neuron is switched off randomly with probability p so the net "
            "cannot rely on any one of them (like averaging an ensemble of thinned networks); "
            "survivors are rescaled by 1/(1-p). At test time dropout is turned off.",
            Verdict.CORRECT,
        ),
        (
            "Randomly deactivate neurons while training with some probability p, and at inference "
            "time it is switched off, model.eval() in pytorch.",
            Verdict.PARTIAL,
        ),
        (
            "It is a kind of pooling layer that reduces the image size by taking the max.",
            Verdict.INCORRECT,
        ),
        ("Batch normalization normalises activations over the mini-batch.", Verdict.INCORRECT),
    ],
)
def test_fixed_labelled_cases(text: str, verdict: Verdict) -> None:
    assert grader.grade(DROPOUT, text).verdict is verdict


def test_typed_flashcard_answer_is_graded_against_its_definition() -> None:
    result = grader.grade(RELU, "outputs max(0, x), so negatives become zero and positives pass")
    assert result.verdict is Verdict.CORRECT
    assert grader.grade(RELU, "a kind of optimiser with momentum").verdict is Verdict.INCORRECT


def test_choices_are_graded_by_the_option_chosen() -> None:
    assert grader.grade_choice(MCQ, "ReLU").verdict is Verdict.CORRECT
    assert grader.grade_choice(MCQ, "Adam").verdict is Verdict.INCORRECT
    assert grader.grade_choice(RELU, RELU.definition or "").score == 1.0
    with pytest.raises(ValueError, match="no options"):
        grader.grade_choice(DROPOUT, "x")
