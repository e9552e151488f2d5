from __future__ import annotations

import pytest

from bot.domain.choices import flashcard_options, mcq_options, options_for
from bot.domain.models import Verdict
from bot.grading.lexical import LexicalGrader
from bot.grading.text import compact, fold
from tests.factories import flashcard, mcq, open_item

GRADER = LexicalGrader()


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Alpha, BETA; gamma and delta.", Verdict.PARTIAL),  # terms without a sentence
        ("It uses Alpha and BETA; it also uses gamma and delta.", Verdict.CORRECT),
        ("it uses alpha, beta and gamma", Verdict.CORRECT),
        ("it uses alpha only", Verdict.PARTIAL),
        ("something unrelated entirely", Verdict.INCORRECT),
        ("", Verdict.INCORRECT),
    ],
)
def test_verdict_from_coverage(text: str, verdict: Verdict) -> None:
    assert GRADER.grade(open_item("d/q01"), text).verdict is verdict


def test_covered_and_missed_key_points() -> None:
    result = GRADER.grade(open_item("d/q01"), "gamma then alpha")
    assert result.covered == ("Uses alpha.", "Uses gamma.")
    assert result.missed == ("Uses beta.", "Uses delta.")


def test_phrases_plurals_and_word_edges() -> None:
    item = open_item(
        "d/q01",
        points=[
            ("Scaled by 1/(1-p).", ["1/(1-p)", "inverted dropout"]),
            ("Uses gradients.", ["gradient"]),
            ("Mentions the ReLU.", ["relu"]),
        ],
    )
    result = GRADER.grade(item, "Inverted-dropout rescales; Gradients flow; prelude")
    assert result.covered == ("Scaled by 1/(1-p).", "Uses gradients.")
    assert "Mentions the ReLU." in result.missed  # "prelude" does not contain the word relu
    assert compact(fold("max(0, x)")) == compact(fold("MAX(0,x)"))


def test_misconception_downgrades() -> None:
    item = open_item("d/q01", misconceptions=["Dropout stays active at inference time."])
    plain = GRADER.grade(item, "It uses alpha, beta, gamma and delta.")
    wrong = GRADER.grade(
        item, "It uses alpha, beta, gamma and delta. Dropout stays active at inference time."
    )
    negated = GRADER.grade(
        item, "It uses alpha, beta, gamma and delta. Dropout is not active at inference."
    )
    assert plain.verdict is Verdict.CORRECT and plain.misconceptions == ()
    assert wrong.verdict is Verdict.PARTIAL
    assert wrong.misconceptions == ("Dropout stays active at inference time.",)
    assert negated.misconceptions == ()


def test_grade_choice() -> None:
    card = flashcard("c/relu", "Max of zero and x.")
    assert GRADER.grade_choice(card, "max of zero and x").verdict is Verdict.CORRECT
    assert GRADER.grade_choice(card, "Squashes.").verdict is Verdict.INCORRECT
    question = mcq("c/bn")
    assert GRADER.grade_choice(question, "Right option").score == 1.0
    assert GRADER.grade_choice(question, "Wrong option A").verdict is Verdict.INCORRECT
    with pytest.raises(ValueError):
        GRADER.grade_choice(open_item("d/q01"), "x")


def test_flashcard_options_same_tag_first_then_deck() -> None:
    card = flashcard("c/relu", "Max of zero and x.", tags=("activation-functions",))
    same_tag = [
        flashcard("other/sig", "Squashes to (0, 1).", tags=("activation-functions",)),
        flashcard("other/tanh", "Squashes to (-1, 1).", tags=("activation-functions",)),
    ]
    same_deck = [
        flashcard("c/bn", "Normalises a batch.", tags=("normalization",)),
        flashcard("c/ln", "Normalises a layer.", tags=("normalization",)),
    ]
    unrelated = [flashcard("z/x", "Unrelated.", tags=("cnn",))]
    options = flashcard_options(card, [*same_deck, *unrelated, card, *same_tag], "seed")
    assert len(options) == 4
    assert "Max of zero and x" in options  # options lose end punctuation
    assert {"Squashes to (0, 1)", "Squashes to (-1, 1)"} <= set(options)
    assert "Unrelated" not in options
    # Deterministic for a seed, independent of candidate order.
    again = flashcard_options(card, [*same_tag, card, *unrelated, *same_deck], "seed")
    assert options == again


def test_options_for_types() -> None:
    assert mcq_options(mcq("c/bn")) == ("Right option", "Wrong option A", "Wrong option B")
    assert options_for(open_item("d/q01"), [], "s") == ()
    lonely = flashcard("c/x", "Only one.")
    assert options_for(lonely, [lonely], "s") == ("Only one",)
