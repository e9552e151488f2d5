"""Grading answers against an item's key points.

`Grader` is the port; `KeywordGrader` is the simple first implementation: a key point is
covered when enough of its keywords occur in the answer (case-insensitive, punctuation and
simple plurals ignored). A later grader can replace it without touching the services.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from rapidfuzz import fuzz

from bot.content.schema import Item, ItemType, KeyPoint
from bot.domain.models import GradeResult, Verdict

CORRECT_AT = 0.75
PARTIAL_AT = 0.35
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_SENTENCE_RE = re.compile(r"(?<=[.!?;\n])\s+")
_NEGATIONS = {"not", "no", "never", "nor", "isn", "doesn", "don", "aren", "cannot", "without"}
_MISCONCEPTION_SIMILARITY = 85


class Grader(Protocol):
    """Scores an answer to an item."""

    def grade(self, item: Item, text: str) -> GradeResult:
        """Grade a free-text answer."""
        ...

    def grade_choice(self, item: Item, chosen: str) -> GradeResult:
        """Grade a chosen option (flashcard definition or mcq option text)."""
        ...


def _stem(token: str) -> str:
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    """Lower-case word tokens without accents, punctuation or simple plural endings."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return [_stem(token) for token in _TOKEN_RE.findall(folded)]


def normalise(text: str) -> str:
    """Tokens joined by single spaces, padded so phrase matches respect word edges."""
    return f" {' '.join(tokens(text))} "


def verdict_for(score: float) -> Verdict:
    if score >= CORRECT_AT:
        return Verdict.CORRECT
    if score >= PARTIAL_AT:
        return Verdict.PARTIAL
    return Verdict.INCORRECT


def _downgrade(verdict: Verdict) -> Verdict:
    return Verdict.PARTIAL if verdict is Verdict.CORRECT else Verdict.INCORRECT


def correct_choice(item: Item) -> str | None:
    """The text of the right option: a flashcard's definition or the correct mcq option."""
    if item.type is ItemType.FLASHCARD:
        return item.definition
    option = item.correct_option
    return option.text if option else None


class KeywordGrader:
    """Key-point keyword coverage; verdict from the covered fraction."""

    def __init__(self, min_hits: int = 1) -> None:
        # How many of a key point's keywords must appear; keywords are mostly synonyms.
        self.min_hits = max(1, min_hits)

    def covers(self, point: KeyPoint, answer: str) -> bool:
        """True when enough of the key point's keywords occur in the normalised answer."""
        phrases = [normalise(keyword) for keyword in point.keywords]
        phrases = [phrase for phrase in phrases if phrase.strip()]
        if not phrases:
            # No keywords: fall back to the key point's own longer words, half of them.
            words = {token for token in tokens(point.text) if len(token) > 3}
            if not words:
                return False
            present = sum(1 for word in words if f" {word} " in answer)
            return present * 2 >= len(words)
        needed = min(self.min_hits, len(phrases))
        return sum(1 for phrase in phrases if phrase in answer) >= needed

    def misconceptions(self, item: Item, text: str) -> tuple[str, ...]:
        """Misconceptions a sentence of the answer asserts (close wording, same polarity)."""
        found: list[str] = []
        sentences = [normalise(s) for s in _SENTENCE_RE.split(text) if s.strip()]
        for claim in item.misconceptions:
            wanted = normalise(claim)
            claim_negated = bool(_NEGATIONS.intersection(wanted.split()))
            for sentence in sentences:
                if bool(_NEGATIONS.intersection(sentence.split())) != claim_negated:
                    continue
                if fuzz.token_sort_ratio(sentence, wanted) >= _MISCONCEPTION_SIMILARITY:
                    found.append(claim)
                    break
        return tuple(found)

    def grade(self, item: Item, text: str) -> GradeResult:
        answer = normalise(text)
        if not answer.strip():
            missed = tuple(point.text for point in item.key_points)
            return GradeResult(Verdict.INCORRECT, 0.0, (), missed, ())
        if item.key_points:
            covered = tuple(p.text for p in item.key_points if self.covers(p, answer))
            missed = tuple(p.text for p in item.key_points if p.text not in covered)
            score = len(covered) / len(item.key_points)
        else:
            reference = item.definition or item.short_answer or item.answer
            covered, missed = (), ()
            score = fuzz.token_sort_ratio(answer, normalise(reference)) / 100 if reference else 0
        wrong = self.misconceptions(item, text)
        verdict = verdict_for(score)
        if wrong:
            verdict = _downgrade(verdict)
            score = max(0.0, score - 0.25 * len(wrong))
        return GradeResult(verdict, round(score, 4), covered, missed, wrong)

    def grade_choice(self, item: Item, chosen: str) -> GradeResult:
        right = correct_choice(item)
        if right is None:
            raise ValueError(f"item {item.id} has no options to choose from")
        points = tuple(point.text for point in item.key_points)
        if normalise(chosen) == normalise(right):
            return GradeResult(Verdict.CORRECT, 1.0, points, (), ())
        return GradeResult(Verdict.INCORRECT, 0.0, (), points, ())
