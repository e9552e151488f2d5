"""`prepbot practice` as a real subprocess: on a pseudo-terminal (the line editor) and with
pipes. Each test runs on its own temporary database and a small deck of open questions."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
import yaml

from tests.factories import open_deck

ROOT = Path(__file__).resolve().parents[3]
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x1b\][^\x07]*\x07")
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
ESC_ENTER = "\x1b\r"
# A 5,000+ character line whose meaning is at its end: cut at 4095 (a terminal's canonical
# line limit), the quiz would be the default one of all topics, five questions.
LONG_QUIZ = "/quiz dl" + " " * 5000 + "2"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def practice_env(tmp_path: Path) -> dict[str, str]:
    """Environment for `prepbot practice` on a fresh database and a six-question deck."""
    content = tmp_path / "content"
    (content / "decks").mkdir(parents=True)
    (content / "tags.yaml").write_text((ROOT / "content" / "tags.yaml").read_text())
    data = open_deck("dl", 6).model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    for item in data["items"]:
        item["source"] = {"document": "tests", "ref": item["id"]}
    (content / "decks" / "dl.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")}
    return env | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
        "CONTENT_DIR": str(content),
        "LOG_LEVEL": "INFO",
        "TERM": "xterm-256color",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "PYTHONPATH": str(ROOT),
    }


class Terminal:
    """`prepbot practice` on a pseudo-terminal; `wait_for` reads the screen without ANSI."""

    def __init__(self, tmp_path: Path) -> None:
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "bot", "practice"],
            env=practice_env(tmp_path),
            cwd=str(tmp_path),
            dimensions=(40, 100),
            encoding="utf-8",
            codec_errors="replace",
            timeout=20,
        )
        self.raw = ""
        self.seen = 0

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw).replace("\r", "")

    def _pump(self, timeout: float) -> bool:
        try:
            self.raw += self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        return True

    def wait_for(self, wanted: str, timeout: float = 20) -> None:
        """Until `wanted` appears after the last thing waited for."""
        deadline = time.monotonic() + timeout
        while (found := self.text.find(wanted, self.seen)) < 0:
            if time.monotonic() > deadline or not self._pump(0.1):
                if (found := self.text.find(wanted, self.seen)) >= 0:
                    break
                raise AssertionError(f"{wanted!r} not on screen:\n{self.text[-3000:]}")
        self.seen = found + len(wanted)

    def settle(self, seconds: float = 0.5) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._pump(0.05):
            pass

    def wait_exit(self, timeout: float) -> int:
        """Read to the end; the exit status, failing if it takes longer than `timeout`."""
        deadline = time.monotonic() + timeout
        while self._pump(0.05):
            if time.monotonic() > deadline:
                self.child.terminate(force=True)
                raise AssertionError(f"still running after {timeout}s:\n{self.text[-2000:]}")
        self.child.wait()
        if self.child.signalstatus is not None:
            return 128 + int(self.child.signalstatus)
        return int(self.child.exitstatus or 0)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    term.wait_for("Question of the day")
    term.wait_for(">")
    yield term
    term.close()


def test_ctrl_c_exits_130_and_sends_the_typed_answer(terminal: Terminal) -> None:
    terminal.child.send("It uses alpha and beta")
    terminal.wait_for("It uses alpha and beta")  # the line editor has it
    terminal.child.sendcontrol("c")
    assert terminal.wait_exit(timeout=5) == 130
    assert "· score" in terminal.text  # the typed answer was sent, then saved
    assert "Bye — your answers are saved." in terminal.text


def test_ctrl_d_exits_0(terminal: Terminal) -> None:
    terminal.child.sendcontrol("d")
    assert terminal.wait_exit(timeout=5) == 0
    assert "your answers are saved" in terminal.text


def test_pasted_answer_with_blank_lines_answers_one_question(terminal: Terminal) -> None:
    terminal.child.send("/quiz dl 3\r")
    terminal.wait_for("Quiz 1/3")
    terminal.wait_for(">")
    code = "def f(x):\n    return alpha(x)\n\n\ndef g(x):\n    return beta(x)\n"
    terminal.child.send(PASTE_START + code + PASTE_END)
    terminal.settle(0.5)
    assert "· score" not in terminal.text  # a paste never sends by itself
    terminal.child.send(ESC_ENTER)
    terminal.wait_for("· score")
    terminal.wait_for("Quiz 2/3")
    terminal.settle(0.5)
    assert terminal.text.count("· score") == 1
    assert "Quiz 3/3" not in terminal.text


def test_typed_lines_then_an_empty_line_send_and_a_command_line_sends_first(
    terminal: Terminal,
) -> None:
    terminal.child.send("It uses alpha\r")
    terminal.settle(0.3)
    assert "· score" not in terminal.text  # Enter after text starts a new line
    terminal.child.send("/streak\r")  # a command under the answer: the answer goes first
    terminal.wait_for("· score")
    terminal.wait_for("Streak: 1 day")
    terminal.wait_for("Streak freezes")
    terminal.child.send("/quit\r")
    assert terminal.wait_exit(timeout=5) == 0


def test_a_long_single_line_is_not_cut(terminal: Terminal) -> None:
    terminal.child.send(PASTE_START + LONG_QUIZ + PASTE_END)
    terminal.settle(0.5)
    terminal.child.send("\r")
    terminal.wait_for("Quiz 1/2")  # the end of the 5,000-character line arrived


def test_logs_go_to_a_file_not_the_screen(terminal: Terminal, tmp_path: Path) -> None:
    terminal.child.send("/quiz dl 2\r")
    terminal.wait_for("Quiz 1/2")
    terminal.wait_for(">")
    terminal.settle(0.3)
    terminal.child.sendcontrol("d")
    assert terminal.wait_exit(timeout=5) == 0
    assert " INFO " not in terminal.text and "migration" not in terminal.text.lower()
    log_text = (tmp_path / "prepbot-practice.log").read_text()
    assert "INFO" in log_text and "loaded 6 items" in log_text


# --- pipes -------------------------------------------------------------------------------
def run_piped(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "practice"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=practice_env(tmp_path),
        check=False,
    )


def test_piped_commands_under_an_answer_run_after_it(tmp_path: Path) -> None:
    done = run_piped(tmp_path, "Convolutions find local patterns\n/streak\n/help\n/quit\n/stats\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("· score") == 1  # one answer: the first line alone
    assert out.index("· score") < out.index("Streak: 1 day") < out.index("Commands")
    assert "Answered" not in out  # /quit ended the session before /stats
    assert "INFO" not in done.stderr  # logs went to the file


def test_piped_fenced_code_keeps_blank_lines_and_a_dot_sends(tmp_path: Path) -> None:
    text = "/quiz dl 3\n```\nx = alpha\n\n\ny = beta\n```\n\nIt uses gamma\n.\n/quit\n"
    done = run_piped(tmp_path, text)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("· score") == 2  # the fenced answer, then the one ended by `.`
    assert "Quiz 3/3" in done.stdout
    assert "Quiz finished" not in done.stdout  # blank lines did not split the code answer


def test_piped_long_line_is_not_cut(tmp_path: Path) -> None:
    done = run_piped(tmp_path, LONG_QUIZ + "\n")
    assert done.returncode == 0, done.stderr
    assert "Quiz 1/2" in done.stdout


def test_ctrl_c_with_piped_input_exits_130(tmp_path: Path) -> None:
    """The old hang: a blocked read of an open pipe kept the process alive after Ctrl-C."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "practice"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=practice_env(tmp_path),
    )
    assert proc.stdin is not None and proc.stdout is not None
    ready = threading.Event()
    lines: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "Type your answer" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(30), "".join(lines)
        proc.stdin.write("It uses alpha\n")  # typed, not yet sent by an empty line
        proc.stdin.flush()
        # A pipe shows nothing when the line is read: give the reader time to take it.
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 130  # the hang waited for input forever
        reader.join(5)
        out = "".join(lines)
        assert "· score" in out and "your answers are saved" in out
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdin.close()
