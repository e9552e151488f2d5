"""The message catalogue: Babel finds the message ids, each is written out literally, and the
committed template `bot/presentation/locale/prepbot.pot` lists exactly the ids in the code."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.presentation import discord_texts

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"
POT = BOT / "presentation" / "locale" / "prepbot.pot"
# What `make messages` passes to pybabel: gettext's default keywords and `-k Notice`.
KEYWORDS = {**DEFAULT_KEYWORDS, "Notice": None}
REGENERATE = "run `make messages` and commit bot/presentation/locale/prepbot.pot"

MessageKey = tuple[str | None, str]  # (context, msgid)


@cache
def extracted() -> dict[MessageKey, list[str]]:
    """Every message id Babel extracts from bot/ (as `make messages` does), with where."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found: dict[MessageKey, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        BOT, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault((context, msgid), []).append(f"{filename}:{lineno}")
    return found


def test_the_extraction_finds_known_messages() -> None:
    msgids = {msgid for _context, msgid in extracted()}
    expected = {
        # wording.py, plain, plural and with a context
        "Rate how well you knew it to schedule a review.",
        "{count} point",
        "Show answer",
        # a service's Notice
        "That question was already answered or skipped; answer the latest one.",
        # Discord's own words: a description, a Notice and a reply
        discord_texts.DESCRIPTIONS["daily"],
        discord_texts.STALE_BUTTON.msgid,
        "Only members with the Manage Server permission can change the schedule.",
    }
    assert expected <= msgids, sorted(expected - msgids)
    assert ("button", "Answer") in extracted()


def _keyword(call: ast.Call) -> str | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name if name in KEYWORDS else None


def _literal_positions(name: str) -> tuple[int, ...]:
    """0-based positions of a keyword's message arguments (context included)."""
    spec = KEYWORDS[name]
    if spec is None:
        return (0,)
    positions = []
    for part in spec if isinstance(spec, tuple) else ():
        number = part[0] if isinstance(part, tuple) else part
        if isinstance(number, int):
            positions.append(number - 1)
    return tuple(positions)


def built_messages(path: Path) -> list[str]:
    """Calls of a catalogue keyword whose message is built at run time: an f-string, a
    concatenation or a call (a translator never sees those). A name, a subscript or a
    `.get` passes for `_` and friends (`_(MENU[name])` translates an id marked with `N_`
    elsewhere), but a `Notice` always names its message literally."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or (name := _keyword(node)) is None:
            continue
        for position in _literal_positions(name):
            if position >= len(node.args):
                continue
            arg = node.args[position]
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            looked_up = isinstance(arg, ast.Name | ast.Subscript | ast.Attribute) or (
                isinstance(arg, ast.Call)
                and isinstance(arg.func, ast.Attribute)
                and arg.func.attr == "get"  # MESSAGES.get(key, fallback)
            )
            if not literal and (name == "Notice" or not looked_up):
                where = path.relative_to(ROOT)
                found.append(f"{where}:{node.lineno}: {name}({ast.unparse(arg)[:60]})")
    return found


def test_no_message_is_built_at_run_time() -> None:
    found = [line for path in sorted(BOT.rglob("*.py")) for line in built_messages(path)]
    assert not found, "write these message ids out literally, values as {named} params:\n" + (
        "\n".join(found)
    )


def test_the_scan_catches_an_f_string(tmp_path: Path) -> None:
    planted = BOT / "_planted_catalogue.py"
    planted.write_text(
        'from bot.errors import Notice\nfrom bot.presentation.i18n import _\n'
        'x = 1\nA = _(f"{x} points")\nB = Notice("n" + "o")\nC = _(KNOWN["a"])\n'
    )
    try:
        assert built_messages(planted) == [
            "bot/_planted_catalogue.py:4: _(f'{x} points')",
            "bot/_planted_catalogue.py:5: Notice('n' + 'o')",
        ]
    finally:
        planted.unlink()


def test_the_committed_template_is_up_to_date() -> None:
    with POT.open("rb") as pot:
        template = read_po(pot)
    committed = {
        (message.context, message.id if isinstance(message.id, str) else message.id[0])
        for message in template
        if message.id
    }
    code = set(extracted())
    missing = sorted(f"{key[1]!r}" for key in code - committed)
    stale = sorted(f"{key[1]!r}" for key in committed - code)
    assert not missing and not stale, (
        f"prepbot.pot is out of date ({REGENERATE}).\n"
        f"new in the code: {missing[:20]}\ngone from the code: {stale[:20]}"
    )
