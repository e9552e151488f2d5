"""The default grader: key-point coverage by keywords, with typo tolerance and guards.

A key point counts as covered when the answer uses one of its keywords (or phrases, or
formulas) strongly enough; misconceptions asserted in the same polarity cost points; and
a few guards stop empty, restated-question and pasted-reference answers from scoring.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.content.schema import Item, ItemType, KeyPoint
from bot.domain.grading import correct_choice
from bot.domain.models import GradeResult, Verdict
from bot.grading.text import (
    ANTONYMS,
    CLAUSE,
    SENTENCE,
    STOPWORDS,
    Prepared,
    compact,
    content_words,
    fold,
    is_math,
    negated,
    words,
)

MAX_CHARS = 6000
TYPO_MIN_LEN = 5
TYPO_RATIO = 84.0
NOTE_TRUNCATED = f"Your answer was long; only the first {MAX_CHARS} characters were graded."
NOTE_TOO_SHORT = "That is too short to grade: explain it in a sentence or two."
NOTE_RESTATED = "That restates the question; say what the answer is."
NOTE_PASTED = "This matches the reference answer almost word for word, so it earns no points."


PASTE_NGRAM = 6
MISCONCEPTION_OVERLAP = 0.6


def _typo_positions(word: str, answer: Prepared) -> tuple[int, ...]:
    """Where the answer has `word` misspelt (fuzzy ratio at least TYPO_RATIO)."""
    cached = answer.typos.get(word)
    if cached is None:
        close = process.extract(
            word, list(answer.positions), scorer=fuzz.ratio, score_cutoff=TYPO_RATIO, limit=None
        )
        cached = tuple(sorted(i for token, _, _ in close for i in answer.positions[token]))
        answer.typos[word] = cached
    return cached


@lru_cache(maxsize=1024)
def _ngrams(reference: str, n: int = PASTE_NGRAM) -> frozenset[tuple[str, ...]]:
    tokens = words(fold(reference))
    return frozenset(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class Thresholds:
    """Where the score turns into a verdict (tuned on the dev split only)."""

    correct: float = 0.6
    partial: float = 0.15
    misconception_penalty: float = 0.5


@dataclass(frozen=True)
class Assessment:
    """What the grader found in an answer, before it becomes a verdict."""

    text: str
    coverage: dict[str, float]
    misconceptions: tuple[str, ...]
    notes: tuple[str, ...]
    guarded: bool = False
    floor: float = 0.0


@dataclass(frozen=True)
class _Keyword:
    tokens: tuple[str, ...]
    maths: str | None
    strong: bool
    spaced: str = ""  # " a b " to find the phrase in Prepared.joined
    glued: str = ""  # "ab": the phrase written as one word ("mini batch" / "minibatch")


class LexicalGrader:
    """Grades `open`/`coding` answers by key points; choices by the option chosen."""

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self._keywords: dict[str, list[_Keyword]] = {}

    # --- public API (the domain's Grader protocol) -----------------------------------
    def grade(self, item: Item, text: str) -> GradeResult:
        return self.finish(item, self.assess(item, text))

    def assess(self, item: Item, text: str) -> Assessment:
        """Coverage per key point, misconceptions and notices, before the verdict."""
        notes: list[str] = []
        if len(text) > MAX_CHARS:
            text = text[:MAX_CHARS]
            notes.append(NOTE_TRUNCATED)
        answer = Prepared.of(text)
        nothing = dict.fromkeys((point.text for point in item.key_points), 0.0)
        meaningful = [t for t in answer.tokens if t not in STOPWORDS]
        if len(meaningful) < 2 and not (item.type is ItemType.FLASHCARD and meaningful):
            return Assessment(text, nothing, (), (*notes, NOTE_TOO_SHORT), guarded=True)
        if self._restates(item.question, answer):
            return Assessment(text, nothing, (), (*notes, NOTE_RESTATED), guarded=True)
        if self._pasted(item.answer, answer) or self._pasted(item.short_answer, answer, 4, 12):
            return Assessment(text, nothing, (), (*notes, NOTE_PASTED), guarded=True)
        coverage = {point.text: self.coverage(point, answer) for point in item.key_points}
        floor = 0.0
        if item.type is ItemType.FLASHCARD and item.definition:
            floor = self._overlap(item.definition, answer)
        wrong = self.misconceptions(item.misconceptions, text)
        return Assessment(text, coverage, wrong, tuple(notes), floor=floor)

    def finish(self, item: Item, assessment: Assessment) -> GradeResult:
        """Turn an assessment into a score and verdict."""
        coverage = assessment.coverage
        covered = tuple(name for name, value in coverage.items() if value >= 1.0)
        missed = tuple(name for name, value in coverage.items() if value < 1.0)
        if assessment.guarded:
            return GradeResult(Verdict.INCORRECT, 0.0, (), missed, (), assessment.notes)
        score = sum(coverage.values()) / len(coverage) if coverage else 0.0
        score = max(score, assessment.floor)
        wrong = assessment.misconceptions
        score = max(0.0, score - self.thresholds.misconception_penalty * len(wrong))
        verdict = self._verdict(score)
        if wrong and verdict is Verdict.CORRECT:
            verdict = Verdict.PARTIAL  # an answer built on a misconception is never correct
        return GradeResult(
            verdict, round(min(score, 1.0), 4), covered, missed, wrong, assessment.notes
        )

    def grade_choice(self, item: Item, chosen: str) -> GradeResult:
        right = correct_choice(item)
        if right is None:
            raise ValueError(f"item {item.id} has no options to choose from")
        points = tuple(point.text for point in item.key_points)
        if words(fold(chosen)) == words(fold(right)):
            return GradeResult(Verdict.CORRECT, 1.0, points, ())
        return GradeResult(Verdict.INCORRECT, 0.0, (), points)

    # --- key points ---------------------------------------------------------------------
    def coverage(self, point: KeyPoint, answer: Prepared) -> float:
        """1.0 covered, 0.5 touched on, 0.0 missed."""
        hits = [kw for kw in self._compiled(point) if self._matches(kw, answer)]
        # Word overlap with the point's own text only means something for longer points.
        long_point = len(content_words(fold(point.text))) >= 3
        text_overlap = self._overlap(point.text, answer) if long_point else 0.0
        # A point with one or two keywords names its evidence exactly: one hit is enough.
        few = len(point.keywords) <= 2
        if (
            any(kw.strong for kw in hits)
            or len(hits) >= 2
            or (hits and (few or text_overlap >= 0.34))
        ):
            return 1.0
        if text_overlap >= 0.6:
            return 1.0
        if hits or text_overlap >= 0.4:
            return 0.5
        return 0.0

    def _compiled(self, point: KeyPoint) -> list[_Keyword]:
        key = point.text + "\x00" + "\x00".join(point.keywords)
        cached = self._keywords.get(key)
        if cached is None:
            cached = [self._compile(keyword) for keyword in point.keywords]
            self._keywords[key] = cached
        return cached

    @staticmethod
    def _compile(keyword: str) -> _Keyword:
        folded = fold(keyword)
        tokens = tuple(t for t in words(folded) if t not in STOPWORDS)
        maths = compact(folded) if is_math(folded) else None
        # Multi-word phrases, formulas and long technical words are specific enough alone.
        strong = maths is not None or len(tokens) >= 2 or (len(tokens) == 1 and len(tokens[0]) >= 8)
        return _Keyword(tokens, maths, strong, f" {' '.join(tokens)} ", "".join(tokens))

    def _matches(self, keyword: _Keyword, answer: Prepared) -> bool:
        if keyword.maths is not None and keyword.maths in answer.maths:
            return True
        if not keyword.tokens:
            return False
        if keyword.glued in answer.token_set or keyword.spaced in answer.joined:
            return True
        return self._fuzzy_phrase(keyword.tokens, answer)

    @staticmethod
    def _fuzzy_phrase(phrase: tuple[str, ...], answer: Prepared) -> bool:
        """Every phrase word (allowing typos) within a short window of the answer."""
        window = len(phrase) + 2
        positions: list[Sequence[int]] = []
        for word in phrase:
            found: Sequence[int] = answer.positions.get(word, ())
            if not found and len(word) >= TYPO_MIN_LEN:
                found = _typo_positions(word, answer)
            if not found:
                return False
            positions.append(found)
        if len(positions) == 1:
            return True
        return any(
            all(any(abs(p - start) <= window for p in other) for other in positions[1:])
            for start in positions[0]
        )

    @staticmethod
    def _overlap(reference: str, answer: Prepared) -> float:
        """Share of the reference's content words present in the answer."""
        wanted = content_words(fold(reference))
        if not wanted:
            return 0.0
        return len(wanted & answer.token_set) / len(wanted)

    # --- misconceptions -----------------------------------------------------------------
    def misconceptions(self, claims: Iterable[str], text: str) -> tuple[str, ...]:
        """Claims the answer asserts: most of their words in one sentence or clause, with the
        same polarity, and none of their words swapped for an opposite."""
        units: list[str] = []
        for sentence in SENTENCE.split(text):
            if sentence and sentence.strip():
                units.append(fold(sentence))
                units.extend(fold(c) for c in CLAUSE.split(sentence)[1:] if c.strip())
        found: list[str] = []
        for claim in claims:
            folded_claim = fold(claim)
            wanted = content_words(folded_claim)
            if not wanted:
                continue
            for unit in units:
                have = content_words(unit)
                if len(wanted & have) / len(wanted) < MISCONCEPTION_OVERLAP:
                    continue
                if negated(unit) != negated(folded_claim):
                    continue
                if any(ANTONYMS.get(w, frozenset()) & (have - wanted) for w in wanted - have):
                    continue  # "behaves differently" contradicts "behaves the same"
                found.append(claim)
                break
        return tuple(found)

    # --- guards -------------------------------------------------------------------------
    @staticmethod
    def _restates(question: str, answer: Prepared) -> bool:
        asked = content_words(fold(question))
        said = [t for t in answer.tokens if t not in STOPWORDS]
        new = [t for t in said if t not in asked]
        return len(new) <= 1 or (len(said) >= 4 and len(new) / len(said) < 0.15)

    @staticmethod
    def _pasted(
        reference: str, answer: Prepared, n: int = PASTE_NGRAM, min_tokens: int = 25
    ) -> bool:
        """Most of the answer's n-grams appear in the reference text."""
        if len(answer.tokens) < min_tokens or not reference:
            return False
        ref_grams = _ngrams(reference, n)
        grams = [tuple(answer.tokens[i : i + n]) for i in range(len(answer.tokens) - n + 1)]
        return bool(grams) and sum(g in ref_grams for g in grams) / len(grams) >= 0.6

    def _verdict(self, score: float) -> Verdict:
        if score >= self.thresholds.correct:
            return Verdict.CORRECT
        if score >= self.thresholds.partial:
            return Verdict.PARTIAL
        return Verdict.INCORRECT
