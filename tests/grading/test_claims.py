"""Claims, not vocabulary: the failures issue 13 names, each as a fixed case.

Each case failed on the keyword grader before claim-level evidence (a bare list of terms,
an inverted claim, a fluent wrong mechanism, misconceptions firing on correct answers, the
question's own numbers, an answer to another question).
"""

from __future__ import annotations

import pytest

from bot.content.schema import Item, KeyPoint, Misconception
from bot.domain.models import Verdict
from bot.grading.claims import Reading
from bot.grading.lexical import NOTE_LIST, NOTE_OFF_TOPIC, LexicalGrader

DROPOUT = Item(
    id="t/dropout",
    type="open",
    question="How does dropout work, and what happens to it when the model makes predictions?",
    answer="During training each unit is zeroed at random with probability p and the rest are "
    "scaled by 1/(1-p); at inference dropout is switched off and every unit is used.",
    short_answer="Random zeroing of units while training; switched off at inference.",
    key_points=[
        KeyPoint(
            text="Units are zeroed at random with probability p during training.",
            keywords=["zeroed at random", "randomly drops units", "randomly zeroes"],
        ),
        KeyPoint(
            text="Kept activations are scaled by 1/(1-p).",
            keywords=["1/(1-p)", "scaled up", "rescaled"],
        ),
        KeyPoint(
            text="Dropout is switched off at inference.",
            keywords=["switched off at inference", "turned off at inference", "disabled at test"],
            contradicted_by=["keeps dropping units at inference"],
        ),
    ],
    misconceptions=[
        Misconception(
            claim="Dropout stays active at inference.",
            wordings=["dropout stays active at inference", "dropout still drops units at test"],
        )
    ],
    tags=["regularization"],
)
ZERO_GRAD = Item(
    id="t/zero-grad",
    type="open",
    question="Why do we call optimizer.zero_grad() in a PyTorch training loop?",
    answer="PyTorch adds new gradients to the .grad fields on every backward pass, so the "
    "gradients from the previous batch must be cleared before the next backward pass.",
    short_answer="Gradients accumulate across backward calls, so they are cleared each step.",
    key_points=[
        KeyPoint(
            text="Gradients accumulate across backward calls.",
            keywords=["accumulate", "adds to the grad", "summed"],
            requires=["gradient|grad"],
        ),
        KeyPoint(
            text="zero_grad() clears the stale gradients before the next backward pass.",
            keywords=["clears", "resets", "sets to zero", "zeroes"],
            requires=["gradient|grad"],
        ),
    ],
    misconceptions=[
        Misconception(
            claim="zero_grad() resets the weights.",
            wordings=["resets the weights", "sets the weights to zero"],
        )
    ],
    tags=["frameworks"],
)
TEMPERATURE = Item(
    id="t/temperature",
    type="open",
    question="What does the sampling temperature do in a language model?",
    answer="Logits are divided by the temperature before the softmax: a higher temperature "
    "flattens the distribution so sampling is more random; a lower one sharpens it.",
    short_answer="It divides the logits: higher is more random, lower more deterministic.",
    key_points=[
        KeyPoint(text="Logits are divided by T before softmax.", keywords=["divide the logits"]),
        KeyPoint(
            text="Higher temperature makes sampling more random.",
            keywords=["more random", "flatter distribution", "more diverse"],
            requires=["higher|high"],
        ),
    ],
    misconceptions=["A higher temperature makes the output more deterministic."],
    tags=["language-models"],
)
CONV_SHAPE = Item(
    id="t/conv-shape",
    type="open",
    question="An input of 32x32x3 goes through 10 filters of 5x5, stride 1, no padding. "
    "What is the output shape?",
    answer="Each side is (32 - 5)/1 + 1 = 28, and there is one channel per filter: 28x28x10.",
    short_answer="28x28x10.",
    key_points=[
        KeyPoint(text="The output is 28x28x10.", keywords=["28x28x10", "28 by 28 by 10"]),
        KeyPoint(text="Each side is (W - F)/S + 1 = 28.", keywords=["(32-5)/1+1", "w-f"]),
    ],
    tags=["cnn"],
)
QUEUE = Item(
    id="t/queue",
    type="open",
    question="How does a queue differ from a stack?",
    answer="A queue is first in, first out: the element added first is the one removed first. "
    "A stack is last in, first out.",
    short_answer="Queue: FIFO; stack: LIFO.",
    key_points=[
        KeyPoint(text="A queue is FIFO.", keywords=["fifo", "first in first out"]),
        KeyPoint(text="A stack is LIFO.", keywords=["lifo", "last in first out"]),
    ],
    misconceptions=["A queue removes the most recently added element first."],
    tags=["fundamentals"],
)
CORPUS = [DROPOUT, ZERO_GRAD, TEMPERATURE, CONV_SHAPE, QUEUE]
grader = LexicalGrader(corpus=CORPUS)


def test_a_bare_list_of_the_right_terms_is_at_most_partial() -> None:
    result = grader.grade(DROPOUT, "random zeroing, probability p, 1/(1-p), off at inference")
    assert result.verdict is not Verdict.CORRECT
    assert NOTE_LIST in result.notes


@pytest.mark.parametrize(
    "text",
    [
        "- randomly zeroes units\n- scaled up by 1/(1-p)\n- switched off at inference",
        "randomly drops units / rescaled / disabled at test time / ensemble",
    ],
)
def test_bulleted_and_slashed_lists_are_lists(text: str) -> None:
    assert not Reading.of(text).is_prose
    assert grader.grade(DROPOUT, text).verdict is not Verdict.CORRECT


def test_the_same_ideas_in_sentences_are_correct() -> None:
    text = (
        "While training, units are zeroed at random with probability p and the survivors are "
        "rescaled by 1/(1-p). When the model makes predictions dropout is switched off at "
        "inference, so every unit is used."
    )
    result = grader.grade(DROPOUT, text)
    assert result.verdict is Verdict.CORRECT
    assert result.contradicted == () and result.misconceptions == ()


def test_an_inverted_claim_is_contradicted_not_credited() -> None:
    text = (
        "Units are zeroed at random with probability p while training. Dropout is not switched "
        "off at inference; it keeps dropping units at inference."
    )
    result = grader.grade(DROPOUT, text)
    assert "Dropout is switched off at inference." in result.contradicted
    assert result.verdict is not Verdict.CORRECT


def test_a_fluent_wrong_mechanism_earns_no_credit_for_the_right_words() -> None:
    text = "zero_grad() resets the weights to zero before each batch so training starts clean."
    result = grader.grade(ZERO_GRAD, text)
    assert result.covered == ()
    assert result.misconceptions == ("zero_grad() resets the weights.",)
    assert result.verdict is Verdict.INCORRECT


def test_the_right_mechanism_is_credited() -> None:
    text = (
        "Each backward call adds to the grad of every parameter, so gradients accumulate; "
        "zero_grad() clears those gradients before the next backward pass."
    )
    assert grader.grade(ZERO_GRAD, text).verdict is Verdict.CORRECT


def test_a_correct_answer_that_denies_the_misconception_is_not_flagged() -> None:
    text = (
        "At inference dropout is switched off and all units are used; during training units "
        "are zeroed at random with probability p and scaled up by 1/(1-p)."
    )
    result = grader.grade(DROPOUT, text)
    assert result.misconceptions == ()
    assert result.verdict is Verdict.CORRECT


def test_the_opposite_claim_does_not_match_a_misconception() -> None:
    text = (
        "We divide the logits by the temperature; a higher temperature makes sampling more "
        "random, a lower one makes it more deterministic."
    )
    result = grader.grade(TEMPERATURE, text)
    assert result.misconceptions == ()
    assert result.verdict is Verdict.CORRECT


def test_word_order_decides_which_claim_a_sentence_makes() -> None:
    text = "It is first in, first out: the first element added is also the first removed."
    assert grader.grade(QUEUE, text).misconceptions == ()


def test_the_questions_own_numbers_are_no_evidence() -> None:
    text = "The output keeps the 32x32 size and has 3 channels from the 10 filters of 5x5."
    result = grader.grade(CONV_SHAPE, text)
    assert result.covered == ()
    assert result.verdict is Verdict.INCORRECT


def test_an_answer_to_another_question_earns_nothing() -> None:
    text = (
        "Zero_grad is needed because PyTorch accumulates gradients in .grad on every backward "
        "call, so we clear them each step."
    )
    result = grader.grade(CONV_SHAPE, text)
    assert result.verdict is Verdict.INCORRECT
    assert NOTE_OFF_TOPIC in result.notes


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("dropout is not helpful at inference", {"help", "at", "infer"}),
        ("use relu rather than sigmoid", {"sigmoid"}),
        ("not only faster but also smaller", set()),
    ],
)
def test_negation_reaches_the_words_it_denies(text: str, negated: set[str]) -> None:
    reading = Reading.of(text)
    assert {t for t, n in zip(reading.tokens, reading.negated, strict=True) if n} == negated


def test_a_negated_word_with_an_opposite_reads_as_the_opposite() -> None:
    reading = Reading.of("training is not slower")
    assert "faster" in reading.tokens and not any(reading.negated)
    assert Reading.of("dropout is not used at inference").tokens[-3:] == ("disabl", "at", "infer")


def test_a_point_that_denies_something_is_stated_by_a_negation() -> None:
    item = DROPOUT.model_copy(
        update={
            "key_points": [
                *DROPOUT.key_points,
                KeyPoint(text="It prevents co-adaptation.", keywords=["co-adaptation"]),
            ]
        }
    )
    result = grader.grade(item, "Units are zeroed at random, so there is no co-adaptation.")
    assert result.contradicted == ()


@pytest.mark.parametrize(
    ("text", "prose"),
    [
        ("It uses alpha, beta, gamma and delta.", True),
        ("Common activations are sigmoid, tanh, ReLU and softmax.", True),
        ("Dropout randomly zeroes units, scales the rest, and is off at inference.", True),
        ("Convolutions find local patterns with small shared filters slid over it.", True),
        ("label-preserving transforms / flips, rotations, crops / bigger dataset", False),
        ("CNNs learn from pixels / replaces SIFT, HOG / AlexNet 2012 / ResNet", False),
        ("exp(z_i) / sum_j exp(z_j), strictly positive, sums to 1, log-softmax", False),
    ],
)
def test_sentences_that_enumerate_are_prose_and_term_lists_are_not(text: str, prose: bool) -> None:
    assert Reading.of(text).is_prose is prose


# Three cases the keyword grader passed (checked against it): a swapped claim, the
# question's own numbers, and an answer about another topic.
L1L2 = Item(
    id="t/l1l2",
    type="open",
    question="How do L1 and L2 regularisation differ?",
    answer="L1 adds the sum of absolute weights and drives many weights to exactly zero, giving "
    "sparse models; L2 adds the sum of squares and shrinks all weights smoothly.",
    short_answer="L1 gives sparse weights; L2 shrinks them.",
    key_points=[
        KeyPoint(
            text="L1 drives many weights to exactly zero, giving sparse models.",
            keywords=["exactly zero", "sparse"],
            requires=["l1"],
        ),
        KeyPoint(
            text="L2 shrinks all weights smoothly towards zero.",
            keywords=["shrinks", "weight decay", "smaller"],
            requires=["l2"],
        ),
    ],
    tags=["regularization"],
)
SHAPE = Item(
    id="t/shape",
    type="open",
    question="An input of 32x32x3 goes through 10 filters of 5x5, stride 1, no padding. "
    "What is the output shape?",
    answer="Each side is (32 - 5)/1 + 1 = 28, one channel per filter: 28x28x10.",
    short_answer="28x28x10.",
    key_points=[
        KeyPoint(text="The output is 28x28x10.", keywords=["28x28x10", "28 by 28 by 10"]),
        KeyPoint(
            text="The layer has 10 filters of 5x5 with stride 1 and no padding.",
            keywords=["10 filters", "5x5 kernel", "stride 1", "no padding"],
        ),
        KeyPoint(text="Each side is (W - F)/S + 1 = 28.", keywords=["(32-5)/1+1", "w-f"]),
    ],
    tags=["cnn"],
)
CONV1D = Item(
    id="t/conv1d",
    type="open",
    question="Why would you put 1D convolutional layers before an RNN?",
    answer="1D convolutions extract local patterns and, with striding or pooling, shorten the "
    "sequence, so the RNN sees fewer, richer steps; convolutions are parallel, so it is faster.",
    short_answer="They extract local features and shorten the sequence for the RNN.",
    key_points=[
        KeyPoint(text="Convolutions extract local patterns first.", keywords=["local patterns"]),
        KeyPoint(text="Striding shortens the sequence.", keywords=["shorter sequence"]),
        KeyPoint(
            text="Convolutions run in parallel, so it is faster.", keywords=["parallel", "faster"]
        ),
    ],
    tags=["rnn"],
)
RELU_ITEM = Item(
    id="t/relu-why",
    type="open",
    question="Why is ReLU popular?",
    answer="ReLU outputs max(0, x): cheap, and it does not saturate for positive inputs.",
    short_answer="Cheap and non-saturating.",
    key_points=[
        KeyPoint(text="ReLU is max(0, x).", keywords=["max(0, x)"]),
        KeyPoint(text="It does not saturate for positive inputs.", keywords=["does not saturate"]),
    ],
    tags=["activation-functions"],
)
MORE = LexicalGrader(corpus=[L1L2, SHAPE, CONV1D, RELU_ITEM])


def test_a_claim_given_to_the_wrong_subject_earns_no_credit() -> None:
    text = (
        "L2 regularisation drives many weights to exactly zero and gives sparse models, while L1 "
        "just shrinks all the weights a little."
    )
    result = MORE.grade(L1L2, text)
    assert "L1 drives many weights to exactly zero, giving sparse models." not in result.covered
    assert result.verdict is Verdict.INCORRECT


def test_repeating_the_questions_numbers_earns_nothing() -> None:
    text = (
        "With 10 filters of 5x5, stride 1 and no padding, the output stays 32x32 with 10 channels."
    )
    result = MORE.grade(SHAPE, text)
    assert result.covered == () and result.verdict is Verdict.INCORRECT


def test_an_answer_about_relu_earns_nothing_on_the_conv1d_question() -> None:
    text = (
        "ReLU outputs max(0, x), so it is cheap and much faster to compute than sigmoid, and it "
        "does not saturate for positive inputs."
    )
    result = MORE.grade(CONV1D, text)
    assert result.verdict is Verdict.INCORRECT and result.score == 0.0
