"""The adapters hold no user-facing sentence: every one comes from `bot.presentation`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ADAPTERS = Path(__file__).resolve().parents[2] / "bot" / "adapters"

# Telegram's own error descriptions, matched against what its API says: never shown.
PLATFORM_TEXT = {"telegram/failures.py"}
# Three words of letters in a row: reads as a sentence (or a sentence's fragment).
SENTENCE = re.compile(r"[A-Za-z']+[ ,;:]+[A-Za-z']+[ ,;:]+[A-Za-z']{2,}")
LOGGING = {"debug", "info", "warning", "error", "exception", "critical", "log"}
# Raised with these, a message is shown to the user (`bot.errors.UserError`), so it counts.
USER_ERRORS = {
    "UserError",
    "NotFoundError",
    "InvalidInputError",
    "NotAllowedError",
    "StaleQuestionError",
}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _raises_user_error(node: ast.Raise) -> bool:
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    name = exc.attr if isinstance(exc, ast.Attribute) else getattr(exc, "id", "")
    return name in USER_ERRORS


def _not_shown(tree: ast.AST) -> set[int]:
    """Constants inside log calls and raised exceptions other than user errors (logs and
    the bot's own errors, which `bot.presentation.failures` never shows as they are)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        inner: ast.AST | None = None
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in LOGGING:
                inner = node
        elif isinstance(node, ast.Raise) and not _raises_user_error(node):
            inner = node.exc
        if inner is not None:
            ids |= {id(n) for n in ast.walk(inner) if isinstance(n, ast.Constant)}
    return ids


def sentences(path: Path, root: Path = ADAPTERS) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree) | _not_shown(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and SENTENCE.search(node.value)
            and not node.value.lstrip().startswith("/")  # command syntax
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno}: {node.value[:60]!r}")
    return found


def test_no_sentence_is_written_in_an_adapter() -> None:
    found = [
        line
        for path in sorted(ADAPTERS.rglob("*.py"))
        if path.relative_to(ADAPTERS).as_posix()
        not in PLATFORM_TEXT
        for line in sentences(path)
    ]
    assert not found, "sentences to move to bot.presentation:\n" + "\n".join(found)


def test_the_scan_finds_a_planted_sentence(tmp_path: Path) -> None:
    # Written to a temporary copy of the layout: the source tree is never touched.
    (tmp_path / "console").mkdir()
    planted = tmp_path / "console" / "_planted.py"
    planted.write_text(
        '"""Docstring, fine."""\n'
        'TEXT = "You have no quiz running."\n'
        'log.info("a log line is fine")\n'
        'raise StoreError("the bot\'s own error is fine")\n'
        'raise errors.NotFoundError("That card is gone for good.")\n'
        'raise NotAllowedError\n'
    )
    assert sentences(planted, root=tmp_path) == [
        "console/_planted.py:2: 'You have no quiz running.'",
        "console/_planted.py:5: 'That card is gone for good.'",
    ]
