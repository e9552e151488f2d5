"""`grade-eval`: how well a grader agrees with labelled answers."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.bank import Bank
from bot.content.schema import Item
from bot.domain.models import GradeResult
from bot.errors import ContentError
from bot.ports import AsyncGrader, Grader

LABELS = ("correct", "partial", "incorrect")


@dataclass(frozen=True)
class Example:
    """One labelled answer, its item resolved."""

    item: Item
    answer: str
    label: str
    split: str
    kind: str | None = None  # paraphrase, fluent-wrong, keyword-list, inverted, ...


@dataclass(frozen=True)
class Dataset:
    examples: list[Example]
    unresolved: list[str]


def load_examples(path: Path, bank: Bank, split: str = "test") -> Dataset:
    """Read the labelled YAML; entries whose item is unknown are kept aside, not dropped."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot read labelled answers: {exc}") from exc
    if raw is None:  # an empty file: no answers, so every figure is null
        raw = []
    if not isinstance(raw, list):
        raise ContentError(f"{path}: expected a YAML list of {{item, answer, label, split}}")
    by_source = {
        (item.source.document, item.source.ref): item
        for item in bank.items.values()
        if item.source is not None
    }
    examples: list[Example] = []
    unresolved: list[str] = []
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or entry.get("label") not in LABELS:
            raise ContentError(f"{path}: entry {index}: needs a label (one of {', '.join(LABELS)})")
        entry_split = str(entry.get("split", "test"))
        if split != "all" and entry_split != split:
            continue
        item: Item | None
        if "item" in entry:
            item = bank.item(str(entry["item"]))
            name = str(entry["item"])
        else:
            source = entry.get("source") or {}
            item = by_source.get((str(source.get("document")), str(source.get("ref"))))
            name = f"{source.get('document')} {source.get('ref')}"
        if item is None:
            unresolved.append(f"entry {index}: {name}")
            continue
        kind = entry.get("kind")
        examples.append(
            Example(
                item,
                str(entry.get("answer") or ""),
                entry["label"],
                entry_split,
                str(kind) if kind is not None else None,
            )
        )
    return Dataset(examples, unresolved)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 100])."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Probability a random positive outscores a random negative (ties count half)."""
    if not positives or not negatives:
        return float("nan")
    wins = 0.0
    for p in positives:
        for n in negatives:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(positives) * len(negatives))


def evaluate(grader: Grader, examples: Sequence[Example]) -> list[dict[str, Any]]:
    """The figures as JSON-line records, in the documented order and names."""
    latencies: list[float] = []
    results: list[GradeResult] = []
    if examples:
        # Untimed calls first, one per item: loading a model and compiling an item's rubric
        # happen once per process (start-up), not once per answer, so they are not latency.
        seen: dict[str, Item] = {example.item.id: example.item for example in examples}
        for item in seen.values():
            grader.grade(item, item.short_answer or item.question)
    for example in examples:
        start = time.perf_counter()
        results.append(grader.grade(example.item, example.answer))
        latencies.append((time.perf_counter() - start) * 1000)
    return figures(examples, results, latencies)


async def evaluate_async(grader: AsyncGrader, examples: Sequence[Example]) -> list[dict[str, Any]]:
    """`evaluate` through the grader's awaitable stage (`grade-eval --llm`), one answer at a
    time so each latency is one answer's; then which stage decided and why not."""
    latencies: list[float] = []
    results: list[GradeResult] = []
    for item in {example.item.id: example.item for example in examples}.values():
        grader.grade(item, item.short_answer or item.question)  # the floor's rubric, untimed
    for example in examples:
        start = time.perf_counter()
        results.append(await grader.grade_async(example.item, example.answer))
        latencies.append((time.perf_counter() - start) * 1000)
    stages = Counter(result.stage for result in results)
    fallbacks = Counter(result.fallback for result in results if result.fallback)
    return [
        *figures(examples, results, latencies),
        {"name": "grade_eval.stages", "value": dict(sorted(stages.items()))},
        {"name": "grade_eval.fallbacks", "value": dict(sorted(fallbacks.items()))},
    ]


def figures(
    examples: Sequence[Example], results: Sequence[GradeResult], latencies: Sequence[float]
) -> list[dict[str, Any]]:
    """The figures from each example's grade and latency."""
    confusion = {label: dict.fromkeys(LABELS, 0) for label in LABELS}
    by_kind: dict[str, dict[str, int]] = {}
    scored: list[tuple[str, float]] = []
    for example, result in zip(examples, results, strict=True):
        confusion[example.label][result.verdict.value] += 1
        if example.kind is not None:
            counts = by_kind.setdefault(example.kind, dict.fromkeys(LABELS, 0))
            counts[result.verdict.value] += 1
        scored.append((example.label, result.score))
    total = len(examples)
    right = sum(confusion[label][label] for label in LABELS)
    f1s = []
    for label in LABELS:
        tp = confusion[label][label]
        predicted = sum(confusion[other][label] for other in LABELS)
        actual = sum(confusion[label].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    area = auc(
        [s for lab, s in scored if lab == "correct"], [s for lab, s in scored if lab == "incorrect"]
    )
    return [
        {"name": "grade_eval.count", "value": total, "unit": "answers"},
        {
            "name": "grade_eval.accuracy",
            "value": round(right / total, 4) if total else None,
            "unit": "ratio",
        },
        {
            "name": "grade_eval.macro_f1",
            "value": round(sum(f1s) / len(f1s), 4) if total else None,
            "unit": "ratio",
        },
        # No correct or no incorrect answers: AUC is undefined, and NaN is not valid JSON.
        {
            "name": "grade_eval.auc",
            "value": None if math.isnan(area) else round(area, 4),
            "unit": "ratio",
        },
        {
            "name": "grade_eval.latency_p50_ms",
            "value": round(percentile(latencies, 50), 3) if latencies else None,
            "unit": "ms",
        },
        {
            "name": "grade_eval.latency_p95_ms",
            "value": round(percentile(latencies, 95), 3) if latencies else None,
            "unit": "ms",
        },
        {"name": "grade_eval.confusion", "value": confusion},
        *_error_rates(confusion),
        *(
            [{"name": "grade_eval.by_kind", "value": dict(sorted(by_kind.items()))}]
            if by_kind
            else []
        ),
    ]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _error_rates(confusion: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """How often wrong answers earn credit and right answers lose it (null without any)."""
    wrong = confusion["incorrect"]
    right = confusion["correct"]
    n_wrong, n_right = sum(wrong.values()), sum(right.values())
    return [
        {
            "name": "grade_eval.false_accept",
            "value": _share(wrong["correct"], n_wrong),
            "unit": "ratio",
        },
        {
            "name": "grade_eval.false_credit",
            "value": _share(wrong["correct"] + wrong["partial"], n_wrong),
            "unit": "ratio",
        },
        {
            "name": "grade_eval.false_reject",
            "value": _share(right["incorrect"], n_right),
            "unit": "ratio",
        },
        {
            "name": "grade_eval.correct_recall",
            "value": _share(right["correct"], n_right),
            "unit": "ratio",
        },
    ]
