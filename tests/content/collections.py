"""Question collections written here in the shapes people share them (no third-party text):
a community markdown collection, an Anki CSV export with HTML and MathJax, and a headerless
multiple-choice CSV. Deterministic, so each test sees the same files."""

from __future__ import annotations

import csv
import io
import random

TOPICS = ("Python basics", "Data structures", "Concurrency", "Databases", "Networking",
          "Testing", "Machine learning", "System design")
LEVELS = (("🐣", "Easy"), ("🦊", "Medium"), ("🐉", "Hard"))
QUESTIONS_PER_TOPIC = (21, 21, 21, 21, 21, 21, 20, 20)  # 166 in all
PLACEHOLDERS = ("Answer here", "Answer:", "TBD", "TODO")


def _answer(rng: random.Random, topic: str, number: int) -> str:
    """An answer body in one of the shapes such collections use."""
    shape = number % 6
    if shape == 0:
        return (
            f"The {topic.lower()} answer comes in steps:\n\n"
            f"1. First step for question {number}.\n2. Second step.\n3. Third step."
        )
    if shape == 1:
        return f"- point one of {number}\n- point two\n  - a nested detail\n- point three"
    if shape == 2:
        return (
            f"Use this snippet for {number}:\n\n```python\n# 1. not a question\n"
            f"def f{number}(x):\n    return x * 2\n```\n\nIt doubles its input."
        )
    if shape == 3:
        return (
            f"| Option | Cost |\n|---|---|\n| A{number} | low |\n| B | high |\n\n"
            "Pick by cost."
        )
    if shape == 4:
        return (
            f"The first line of answer {number}.<br/>The second line after a break.<br/>"
            f'<img src="images/q{number}.png" alt="diagram of {topic.lower()}"/>'
        )
    return f"A plain paragraph answering question {number} about {topic.lower()}."


def community_markdown(placeholders: int = 14) -> tuple[str, dict[int, str | None]]:
    """166 questions as whole-line bold paragraphs, a trailing emoji marking difficulty with
    its legend near the top, a table of contents, topic headings; `placeholders` answers
    are only a placeholder. Returns the text and each question's expected difficulty (None
    for a placeholder answer)."""
    rng = random.Random(166)
    lines = [
        "# Software Engineering Interview Questions & Answers",
        "",
        "A community collection. Difficulty: 🐣 Easy · 🦊 Medium · 🐉 Hard",
        "",
        "## Table of Contents",
        "",
    ]
    lines += [f"{i}. [{topic}](#{topic.lower().replace(' ', '-')})" for i, topic in
              enumerate(TOPICS, start=1)]
    lines.append("")
    expected: dict[int, str | None] = {}
    number = 0
    total = sum(QUESTIONS_PER_TOPIC)
    blanks = set(rng.sample(range(1, total + 1), placeholders))
    for topic, count in zip(TOPICS, QUESTIONS_PER_TOPIC, strict=True):
        lines += [f"## {topic}", ""]
        for _ in range(count):
            number += 1
            emoji, level = LEVELS[number % 3]
            lines += [f"**{number}. What about {topic.lower()} case {number}? {emoji}**", ""]
            if number in blanks:
                lines += [PLACEHOLDERS[number % len(PLACEHOLDERS)], ""]
                expected[number] = None
            else:
                lines += [_answer(rng, topic, number), ""]
                expected[number] = level.lower()
        lines += ["[Back to top](#table-of-contents)", ""]
    return "\n".join(lines), expected


def anki_csv(count: int = 120) -> str:
    """Anki's CSV export: a header naming Front, Back, Tags and GUID; HTML fields, MathJax
    and media references."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["GUID", "Front", "Back", "Tags"])
    for n in range(1, count + 1):
        front = f"<b>Card {n}</b>: what is \\(x_{{{n}}}^2\\) when <i>x</i> = {n}?"
        back = f"<div>It is \\[{n * n}\\]</div><br><img src=\"card{n}.png\">"
        if n % 7 == 0:
            back += " [sound:card.mp3]"
        writer.writerow([f"g{n:05d}Ab", front, back, "maths algebra" if n % 2 else "maths"])
    return out.getvalue()


def headerless_mcq_csv(count: int = 80) -> str:
    """Rows of question, four options and the correct letter, with no header."""
    out = io.StringIO()
    writer = csv.writer(out)
    for n in range(1, count + 1):
        options = [f"Answer {n}{letter}" for letter in "abcd"]
        writer.writerow([f"Which option is right for question {n}?", *options, "ABCD"[n % 4]])
    return out.getvalue()
