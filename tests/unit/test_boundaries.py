"""The layering rules of DESIGN.md, checked on the source."""

from __future__ import annotations

import ast
from datetime import UTC
from pathlib import Path

import pytest

from bot.ports import SystemClock

BOT = Path(__file__).resolve().parents[2] / "bot"
PLATFORMS = {"discord", "telegram"}
IO_MODULES = {"aiosqlite", "sqlite3", "asyncio", "socket", "os", "pathlib", "io", "requests"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def sources(*parts: str) -> list[Path]:
    found: list[Path] = []
    for part in parts:
        target = BOT / part
        found += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return found


@pytest.mark.parametrize("path", sources("domain", "services", "storage", "ports.py"), ids=str)
def test_core_never_imports_a_platform(path: Path) -> None:
    roots = {name.split(".")[0] for name in imported_modules(path)}
    assert not roots & PLATFORMS


@pytest.mark.parametrize("path", sources("domain"), ids=str)
def test_domain_does_no_io(path: Path) -> None:
    modules = imported_modules(path)
    roots = {name.split(".")[0] for name in modules}
    assert not roots & IO_MODULES
    assert not {m for m in modules if m.startswith(("bot.services", "bot.storage"))}


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC and now.microsecond == 0
