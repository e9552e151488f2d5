"""A numbered question list followed by answer bodies, some of which lost their header.

This is the layout of a rendered Q&A page whose table of contents survived but whose
headings mostly did not. Bodies whose `QN:` header survived anchor the text; between two
anchors, the missing boundaries are placed where an `Answer:` line stands or where a line
best matches the next question (a small dynamic programme keeps them in order).
The question list may also come from a separate file, for text that lost every heading.
"""

from __future__ import annotations

import re
from itertools import pairwise

from rapidfuzz import fuzz

from bot.content.importers.draft import DraftItem, ImportResult, clean_text, split_difficulty

LIST_LINE = re.compile(r"^\s*(?:[-*+]\s*)?(?:Q(?:uestion)?\s*)?(\d{1,4})\s*[.:)]\s*(.+)$", re.I)
HEADER = re.compile(r"^\s*Q(\d{1,4})\s*[:.]\s*(.+)$", re.I)
ANSWER = re.compile(r"^\s*Answer\s*:\s*", re.I)
STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "to",
        "for",
        "is",
        "are",
        "what",
        "how",
        "why",
        "when",
        "which",
        "does",
        "do",
        "can",
        "you",
        "your",
        "it",
        "its",
        "with",
        "by",
        "be",
        "as",
        "this",
        "that",
        "from",
        "at",
        "their",
        "there",
        "them",
        "they",
        "some",
        "explain",
        "describe",
        "discuss",
        "mention",
        "name",
        "give",
    ]
)


def _words(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 1}


def _similarity(question: str, line: str) -> float:
    """How strongly a line reads like the start of the answer to `question` (0-100+).

    An answer usually names its subject in its first words, so only the head of the line
    counts, and an acronym the question spells out, e.g. "(LSTMs)", counts extra.
    """
    head = " ".join(line.split()[:14])
    q, candidate = _words(question), _words(head)
    if not q or not candidate:
        return 0.0
    overlap = 100.0 * len(q & candidate) / len(q)
    score = max(overlap, float(fuzz.token_set_ratio(question.lower(), head.lower())) * 0.6)
    acronyms = {a.lower() for a in re.findall(r"\(([A-Z][A-Za-z]{1,7})\)", question)}
    if acronyms & {w.lower().strip("(),.:") for w in head.split()}:
        score += 40.0
    return score


def parse_question_list(text: str, questions: list[tuple[int, str]] | None = None) -> ImportResult:
    """Recover (question, answer) pairs; `questions` overrides the source's own list."""
    result = ImportResult()
    lines = clean_text(text).splitlines()
    start = 0
    if questions is None:
        questions = []
        for index, line in enumerate(lines):
            match = LIST_LINE.match(line)
            if match and (not questions or int(match.group(1)) == questions[-1][0] + 1):
                questions.append((int(match.group(1)), match.group(2).strip()))
                start = index + 1
            elif questions:
                break  # the list has ended; the bodies follow
        if not questions:
            result.notes.append("no numbered question list found")
            return result
    numbers = [n for n, _ in questions]
    text_of = dict(questions)
    body = lines[start:]
    # Anchors: body lines that repeat a question's own header (`Q12: ...`).
    anchors: dict[int, int] = {}
    for index, line in enumerate(body):
        match = HEADER.match(line)
        if match and int(match.group(1)) in text_of and int(match.group(1)) not in anchors:
            anchors[int(match.group(1))] = index
    starts: dict[int, int] = {}
    known = sorted((numbers.index(n), pos) for n, pos in anchors.items())
    bounds = [(-1, 0), *known, (len(numbers), len(body))]
    for (q_lo, l_lo), (q_hi, l_hi) in pairwise(bounds):
        if q_lo >= 0:
            starts[numbers[q_lo]] = l_lo
        missing = numbers[q_lo + 1 : q_hi]
        if not missing:
            continue
        first = l_lo + 1 if q_lo >= 0 else l_lo
        if q_lo >= 0 and first < l_hi and ANSWER.match(body[first]):
            first += 1  # the anchor's own "Answer:" line belongs to the anchor
        placed = _place(missing, text_of, body, first, l_hi, anchored_first=False)
        starts.update(placed)
    ordered = sorted(starts.items(), key=lambda kv: (kv[1], numbers.index(kv[0])))
    for position, (number, line_index) in enumerate(ordered):
        end = ordered[position + 1][1] if position + 1 < len(ordered) else len(body)
        chunk = body[line_index:end]
        if chunk and HEADER.match(chunk[0]):
            chunk = chunk[1:]
        answer_lines = [
            ANSWER.sub("", line, count=1) if ANSWER.match(line) else line for line in chunk
        ]
        question, difficulty = split_difficulty(text_of[number])
        result.items.append(
            DraftItem(
                question=question,
                answer="\n".join(answer_lines).strip(),
                ref=f"Q{number}",
                line=start + line_index + 1,
                difficulty=difficulty,
            )
        )
    result.items.sort(key=lambda item: numbers.index(int(item.ref[1:])))
    unanchored = len(numbers) - len(anchors)
    if unanchored:
        result.notes.append(
            f"{unanchored} of {len(numbers)} bodies had no header; placed by matching"
        )
    return result


def _place(
    missing: list[int],
    text_of: dict[int, str],
    body: list[str],
    lo: int,
    hi: int,
    anchored_first: bool,
) -> dict[int, int]:
    """Choose increasing start lines in [lo, hi) for `missing`, maximising the match score."""
    candidates = list(range(lo, hi))
    if len(candidates) < len(missing):
        # Not enough text: the remaining questions get empty bodies at the end.
        return {number: hi for number in missing}

    def score(number: int, index: int) -> float:
        line = body[index]
        if not line.strip() or line.strip() == "-":
            return -50.0
        bonus = 100.0 if ANSWER.match(line) else 0.0
        if bonus and not ANSWER.sub("", line).strip():
            # A bare "Answer:" line: judge the text that follows it.
            following = next((ln for ln in body[index + 1 : index + 3] if ln.strip()), "")
            line = following if not ANSWER.match(following) else ""
        if re.match(r"^\s*([-*•]|[a-z0-9][.)])\s", line):
            bonus -= 30.0  # a list item rarely opens an answer
        return bonus + _similarity(text_of[number], ANSWER.sub("", line)) if line else bonus

    neg = float("-inf")
    n, m = len(missing), len(candidates)
    best = [[neg] * m for _ in range(n)]
    back = [[-1] * m for _ in range(n)]
    for i, number in enumerate(missing):
        running, arg = neg, -1
        for j in range(m):
            if i == 0:
                if anchored_first and j > 0:
                    continue  # the region's first question starts at its first line
                best[i][j] = score(number, candidates[j])
                continue
            if j > 0 and best[i - 1][j - 1] > running:
                running, arg = best[i - 1][j - 1], j - 1
            if running > neg:
                best[i][j] = running + score(number, candidates[j])
                back[i][j] = arg
    j = max(range(m), key=lambda k: best[n - 1][k])
    placed: dict[int, int] = {}
    for i in range(n - 1, -1, -1):
        placed[missing[i]] = candidates[j]
        j = back[i][j]
    return placed
