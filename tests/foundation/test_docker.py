"""The Docker files, checked statically (no Docker engine here), and the image's healthcheck."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot import healthcheck
from bot.storage.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, args = line.partition(" ")
            found.append((name.upper(), args.strip()))
    return found


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule: the last matching pattern wins (`!` re-includes); a
    pattern matching a directory excludes everything below it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        regex = _regex(pattern)
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            result = not negate
    return result


def _regex(pattern: str) -> re.Pattern[str]:
    """Go's filepath.Match (`*` and `?` stop at `/`) plus `**/` for any directories."""
    out = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out, index = out + "(?:.*/)?", index + 3
        elif pattern[index] == "*":
            out, index = out + "[^/]*", index + 1
        elif pattern[index] == "?":
            out, index = out + "[^/]", index + 1
        else:
            out, index = out + re.escape(pattern[index]), index + 1
    return re.compile(out)


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        "prepbot.db",
        "prepbot.db-wal",
        "data/prepbot.db",
        ".env",
        "deploy/.env",
        ".git/HEAD",
        ".mypy_cache/3.11/x.json",
        ".ruff_cache/x",
        ".pytest_cache/v/cache",
        ".hypothesis/examples/x",
        "bot/__pycache__/cli.cpython-311.pyc",
        "prepbot.egg-info/PKG-INFO",
    ],
)
def test_dockerignore_keeps_secrets_databases_and_caches_out(path: str) -> None:
    assert ignored(path, dockerignore())


@pytest.mark.parametrize(
    "path",
    ["pyproject.toml", "README.md", "bot/cli.py", "bot/storage/migrations/001_initial.sql",
     "content/tags.yaml", "content/decks/hosni-dl.yaml"],
)
def test_dockerignore_keeps_what_the_image_copies(path: str) -> None:
    assert not ignored(path, dockerignore())


def test_dependencies_install_before_the_code_is_copied() -> None:
    steps = instructions()
    copies = [i for i, (name, _) in enumerate(steps) if name in ("COPY", "ADD")]
    code = next(i for i in copies if steps[i][1].split()[0] == "bot")
    runs = [i for i, (name, args) in enumerate(steps) if name == "RUN" and "pip install" in args]
    deps = runs[0]
    assert deps < code
    # Only pyproject.toml is in the image when the dependencies install, so a code change
    # (or a README edit) leaves that layer cached.
    before = [steps[i][1].split()[:-1] for i in copies if i < deps]
    assert before == [["pyproject.toml"]]
    # The code's own install adds no dependencies (they are in the layer before).
    code_install = [args for name, args in steps[code:] if name == "RUN" and "pip install" in args]
    assert code_install and all("--no-deps" in args for args in code_install)


def test_the_dependency_layer_installs_exactly_the_project_dependencies(tmp_path: Path) -> None:
    run = next(args for name, args in instructions() if name == "RUN" and "pip install" in args)
    extract = run.split("&&")[0].replace("python ", f"{shlex.quote(sys.executable)} ", 1)
    (tmp_path / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    subprocess.run(["sh", "-c", extract], cwd=tmp_path, check=True, timeout=30)
    listed = (tmp_path / "requirements.txt").read_text().split("\n")
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert [line for line in listed if line] == wanted
    assert "pip install --no-cache-dir -r requirements.txt" in run


def test_healthcheck_runs_the_healthcheck_module() -> None:
    (check,) = [args for name, args in instructions() if name == "HEALTHCHECK"]
    command = check.split("CMD", 1)[1].strip()
    assert command == (
        '["sh", "-c", "python -m bot.healthcheck && prepbot status > /dev/null"]'
    )
    assert "--interval=" in check and "--start-period=" in check


def test_readme_docker_command_works_with_the_image() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Docker", 1)[1].split("\n## ", 1)[0]
    assert section.index("cp .env.example .env") < section.index("docker compose up -d")
    assert "docker compose run --rm bot prepbot practice" in section
    assert "without tokens" in section and "console practice" in section
    # `run --rm bot prepbot practice` replaces CMD; an ENTRYPOINT would prefix it.
    steps = instructions()
    assert not [args for name, args in steps if name == "ENTRYPOINT"]
    assert steps[-1] == ("CMD", '["prepbot", "run"]')


async def test_healthcheck_is_healthy_only_while_a_bot_holds_the_database(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'prepbot.db'}"
    assert "no database" in (healthcheck.problem(url) or "")
    store = await SqliteStore.open(tmp_path / "prepbot.db")
    try:
        assert healthcheck.problem(url) is None
    finally:
        await store.close()
    assert "no running prepbot" in (healthcheck.problem(url) or "")
    (tmp_path / "broken.db").write_text("not a database")
    assert "cannot read" in (healthcheck.problem(f"sqlite:///{tmp_path / 'broken.db'}") or "")
    assert healthcheck.problem("sqlite:///") is not None


def test_healthcheck_exit_codes(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.healthcheck"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=60, check=False,
    )
    assert done.returncode == 1 and done.stderr.startswith("unhealthy: no database")
