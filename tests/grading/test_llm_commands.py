"""`prepbot grade` and `grade-eval --llm` with GRADER_LLM_* pointing at the fake server."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.config import PROJECT_ROOT
from tests.grading.fake_llm import FakeLLM, Reply, grade_reply
from tests.grading.test_lexical import DROPOUT
from tests.grading.test_llm import ALL_THREE, ANSWER, free_port


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "content"
    (root / "decks").mkdir(parents=True)
    (root / "tags.yaml").write_text("regularization: Overfitting.\n")
    item = DROPOUT.model_dump(mode="json", exclude_none=True)
    item["source"] = {"document": "seed.txt", "ref": "Q7"}
    deck = {"id": "t", "title": "T", "language": "en", "license": "NOASSERTION",
            "attribution": "A", "items": [item]}
    (root / "decks" / "t.yaml").write_text(yaml.safe_dump(deck))
    monkeypatch.setenv("CONTENT_DIR", str(root))
    for name in ("URL", "MODEL", "API_KEY", "TIMEOUT_SECONDS", "DAILY_LIMIT"):
        monkeypatch.delenv(f"GRADER_LLM_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    return root


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        monkeypatch.setenv("GRADER_LLM_URL", server.url)
        monkeypatch.setenv("GRADER_LLM_MODEL", "fake-model")
        yield server


def grade(capsys: pytest.CaptureFixture[str], answer: str = ANSWER) -> dict[str, object]:
    assert main(["grade", "t/dropout", answer]) == 0
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    return out


def test_without_the_settings_the_lexical_grader_decides(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = grade(capsys)
    assert out["stage"] == "lexical" and "fallback" not in out and "feedback" not in out


def test_grade_uses_the_llm_stage(
    content: Path, fake: FakeLLM, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.script(grade_reply(ALL_THREE, "partial", "Add the 1/(1-p) scaling."))
    out = grade(capsys)
    assert out["stage"] == "llm" and "fallback" not in out
    assert out["verdict"] == "partial" and out["feedback"] == "Add the 1/(1-p) scaling."
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply({"error": {"message": "boom"}}, status=500), "error"),
        (Reply({"error": {"message": "slow down"}}, status=429), "error"),
        (Reply("not json at all"), "invalid"),
    ],
)
def test_grade_reports_why_it_fell_back(
    content: Path,
    fake: FakeLLM,
    capsys: pytest.CaptureFixture[str],
    reply: Reply,
    reason: str,
) -> None:
    fake.script(reply)
    out = grade(capsys)
    assert (out["stage"], out["fallback"]) == ("lexical", reason)


def test_a_rejected_answer_is_not_sent(
    content: Path, fake: FakeLLM, capsys: pytest.CaptureFixture[str]
) -> None:
    out = grade(capsys, DROPOUT.answer)  # the pasted reference answer
    assert (out["stage"], out["fallback"], out["verdict"]) == ("lexical", "rejected", "incorrect")
    assert fake.requests == []


def test_a_slow_model_costs_the_timeout(
    content: Path, fake: FakeLLM, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRADER_LLM_TIMEOUT_SECONDS", "0.5")
    fake.script(grade_reply(ALL_THREE, "partial", delay=5.0))
    start = time.monotonic()
    out = grade(capsys)
    assert (out["stage"], out["fallback"]) == ("lexical", "timeout")
    assert time.monotonic() - start < 4.0  # the bank loads too; far below the 5 s reply


def test_an_unreachable_endpoint_falls_back(
    content: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADER_LLM_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("GRADER_LLM_MODEL", "fake-model")
    monkeypatch.setenv("GRADER_LLM_TIMEOUT_SECONDS", "1")
    out = grade(capsys)
    assert out["stage"] == "lexical" and out["fallback"] in {"error", "timeout"}


def test_grade_eval_llm_runs_through_the_endpoint(
    content: Path, fake: FakeLLM, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = [
        {"item": "t/dropout", "answer": ANSWER, "label": "partial"},
        {"item": "t/dropout", "answer": ANSWER + " It regularises.", "label": "correct"},
        {"item": "t/dropout", "answer": "no idea", "label": "incorrect"},
    ]
    path = tmp_path / "labels.yaml"
    path.write_text(yaml.safe_dump(data))
    fake.script(grade_reply(ALL_THREE, "partial"), grade_reply(ALL_THREE, "correct"))
    assert main(["grade-eval", str(path), "--llm"]) == 0
    records = {r["name"]: r["value"] for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert records["grade_eval.count"] == 3
    assert records["grade_eval.stages"] == {"lexical": 1, "llm": 2}
    assert records["grade_eval.fallbacks"] == {"rejected": 1}
    assert records["grade_eval.confusion"]["correct"]["correct"] == 1
    assert len(fake.requests) == 2


def test_grade_eval_llm_needs_the_settings(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text("[]")
    assert main(["grade-eval", str(path), "--llm"]) == 2
    assert "GRADER_LLM_URL" in capsys.readouterr().err


def test_starting_without_the_settings_never_loads_the_stage() -> None:
    code = (
        "import sys, bot.app, bot.cli; "
        "print('bot.grading.llm' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=PROJECT_ROOT, env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout.strip() == "False"
