"""`prepbot grade` and `prepbot grade-eval` on a small content tree the test writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.grading.evaluate import auc, percentile
from tests.grading.test_lexical import DROPOUT


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "content"
    (root / "decks").mkdir(parents=True)
    (root / "tags.yaml").write_text("regularization: Overfitting.\n")
    item = DROPOUT.model_dump(mode="json", exclude_none=True)
    item["id"] = "t/dropout"
    item["source"] = {"document": "seed.txt", "ref": "Q7"}
    deck = {
        "id": "t",
        "title": "T",
        "language": "en",
        "license": "NOASSERTION",
        "attribution": "A",
        "items": [item],
    }
    (root / "decks" / "t.yaml").write_text(yaml.safe_dump(deck))
    monkeypatch.setenv("CONTENT_DIR", str(root))
    monkeypatch.chdir(tmp_path)
    return root


def test_grade_prints_one_json_object(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answer = "units are dropped at random and it is turned off at inference"
    assert main(["grade", "t/dropout", answer]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"item", "verdict", "score", "covered", "missed", "misconceptions"}
    assert out["item"] == "t/dropout"
    assert out["verdict"] in {"correct", "partial", "incorrect"}
    assert "Dropout is disabled at inference." in out["covered"]
    assert len(out["covered"]) + len(out["missed"]) == 4


def test_grade_unknown_item(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", "t/nope", "x"]) == 2
    assert "unknown item 't/nope'" in capsys.readouterr().err


def test_grade_eval_reports_every_figure(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = [
        {
            "item": "t/dropout",
            "answer": DROPOUT.answer.replace("dropout", "it"),
            "label": "correct",
        },
        {"item": "t/dropout", "answer": "pooling takes the max of a window", "label": "incorrect"},
        {
            "source": {"document": "seed.txt", "ref": "Q7"},
            "answer": "no idea",
            "label": "incorrect",
        },
        {"item": "t/missing", "answer": "whatever", "label": "partial"},
        {"item": "t/dropout", "answer": "dev only", "label": "partial", "split": "dev"},
    ]
    path = tmp_path / "labels.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["grade-eval", str(path)]) == 0
    captured = capsys.readouterr()
    records = {r["name"]: r for r in map(json.loads, captured.out.splitlines())}
    assert list(records)[:7] == [
        "grade_eval.count",
        "grade_eval.accuracy",
        "grade_eval.macro_f1",
        "grade_eval.auc",
        "grade_eval.latency_p50_ms",
        "grade_eval.latency_p95_ms",
        "grade_eval.confusion",
    ]
    assert records["grade_eval.count"]["value"] == 3
    assert records["grade_eval.unresolved"]["value"] == 1
    assert "t/missing" in captured.err
    confusion = records["grade_eval.confusion"]["value"]
    assert sum(sum(row.values()) for row in confusion.values()) == 3
    assert confusion["incorrect"]["incorrect"] == 2


def test_metric_helpers() -> None:
    assert auc([0.9, 0.8], [0.1, 0.8]) == pytest.approx(0.875)
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == 4.0


def test_grade_eval_split_choice_and_undefined_auc(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = [
        {"item": "t/dropout", "answer": DROPOUT.answer, "label": "correct", "split": "dev"},
        {"item": "t/dropout", "answer": "no idea", "label": "partial", "split": "dev"},
        {"item": "t/dropout", "answer": "no idea at all", "label": "incorrect"},
    ]
    path = tmp_path / "labels.yaml"
    path.write_text(yaml.safe_dump(data))

    def figures(*args: str) -> dict[str, object]:
        assert main(["grade-eval", str(path), *args]) == 0
        lines = capsys.readouterr().out.splitlines()
        # Strict JSON: no NaN or Infinity, which other tools' parsers reject.
        return {
            r["name"]: r["value"]
            for r in (json.loads(line, parse_constant=pytest.fail) for line in lines)
        }

    assert figures("--split", "dev")["grade_eval.count"] == 2
    assert figures("--split", "all")["grade_eval.count"] == 3
    only_incorrect = figures()  # the default split is test
    assert only_incorrect["grade_eval.count"] == 1
    assert only_incorrect["grade_eval.auc"] is None  # no correct answers: AUC is undefined


def test_grade_semantic_flag_needs_the_extra_but_the_setting_falls_back(
    content: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("bot.grading.factory.semantic_available", lambda: False)
    monkeypatch.setenv("GRADER_SEMANTIC", "true")
    assert main(["grade", "t/dropout", "units are dropped at random"]) == 0
    assert json.loads(capsys.readouterr().out)["item"] == "t/dropout"
    assert main(["grade", "t/dropout", "units are dropped at random", "--semantic"]) == 2
    assert "GRADER_SEMANTIC: the semantic stage is not installed" in capsys.readouterr().err


def test_grade_eval_error_rates_and_kinds(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = [
        {
            "item": "t/dropout",
            "kind": "paraphrase",
            "label": "correct",
            "answer": "In training each unit is randomly zeroed with probability p so no unit can "
            "rely on another, like an ensemble of sub-networks; the kept ones are rescaled by "
            "1/(1-p). At inference dropout is turned off.",
        },
        {
            "item": "t/dropout",
            "kind": "keyword-list",
            "label": "partial",
            "answer": "randomly zero units, ensemble, 1/(1-p), turned off at inference",
        },
        {
            "item": "t/dropout",
            "kind": "inverted",
            "label": "incorrect",
            "answer": "Units are dropped at random with probability p. Dropout stays active at "
            "inference time, so units keep being dropped.",
        },
        {
            "item": "t/dropout",
            "kind": "off-topic",
            "label": "incorrect",
            "answer": "Max pooling keeps the largest value in each window of the feature map.",
        },
    ]
    path = tmp_path / "labels.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["grade-eval", str(path)]) == 0
    records = {r["name"]: r["value"] for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert records["grade_eval.false_accept"] == 0.0
    assert records["grade_eval.false_reject"] == 0.0
    assert records["grade_eval.correct_recall"] == 1.0
    by_kind = records["grade_eval.by_kind"]
    assert set(by_kind) == {"paraphrase", "keyword-list", "inverted", "off-topic"}
    assert by_kind["keyword-list"]["correct"] == 0
    assert by_kind["off-topic"]["incorrect"] == 1
    assert sum(by_kind["inverted"].values()) == 1


def test_grade_json_names_contradicted_points_and_notes(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["grade", "t/dropout", "randomly zero units, ensemble, 1/(1-p)"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["contradicted"] == [] and out["verdict"] != "correct"
    assert any("sentences" in note for note in out["notes"])
