"""The default grader: credit for key points the answer *asserts*, not for vocabulary.

A key point counts as covered when one sentence of the answer asserts its evidence: a
keyword (phrase or formula) with the point's required terms close by, not under a negation
and not with a term swapped for its opposite. Evidence asserted the other way round makes
the point *contradicted*; the question's own words are no evidence; a bare list of terms
can earn at most `partial`; an answer about another topic earns nothing; misconceptions
are matched as claims in the same way. Guards stop empty, restated-question and
pasted-reference answers from scoring.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from bot.content.schema import Item, ItemType, KeyPoint, Misconception
from bot.domain.grading import correct_choice
from bot.domain.models import GradeResult, Verdict
from bot.grading.claims import (
    FLIP_ONLY,
    NEGATION_CUES,
    OPPOSITES,
    PRIVATIVE,
    SAME_SIDE,
    Reading,
    read,
)
from bot.grading.text import STOPWORDS, compact, content_words, fold, is_math, stem, words

MAX_CHARS = 6000
TYPO_MIN_LEN = 5
TYPO_RATIO = 84.0
NOTE_TRUNCATED = f"Your answer was long; only the first {MAX_CHARS} characters were graded."
NOTE_TOO_SHORT = "That is too short to grade: explain it in a sentence or two."
NOTE_RESTATED = "That restates the question; say what the answer is."
NOTE_PASTED = "This matches the reference answer almost word for word, so it earns no points."
NOTE_LIST = "You named the right ideas; now explain how they work, in sentences."
NOTE_OFF_TOPIC = "That does not seem to answer this question."

PASTE_NGRAM = 6
COMPARATIVES = frozenset({"more", "less", "fewer", "most", "least"})
CLAIM_SLACK = 4  # extra words a claim's words may spread over in an answer
SWAP_REACH = 5  # words around a reversed term that must belong to the same claim
REQUIRE_REACH = 6  # words between evidence and a required term in another clause
_CUE_STEMS = frozenset(stem(word) for word in NEGATION_CUES) | {"rather", "instead"}


@lru_cache(maxsize=1024)
def _ngrams(reference: str, n: int = PASTE_NGRAM) -> frozenset[tuple[str, ...]]:
    tokens = words(fold(reference))
    return frozenset(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@lru_cache(maxsize=1024)
def _reference_words(reference: str) -> frozenset[str]:
    return frozenset(words(fold(reference)))


@dataclass(frozen=True)
class Thresholds:
    """Where the score turns into a verdict (tuned on the dev split only)."""

    correct: float = 0.6
    partial: float = 0.15
    misconception_penalty: float = 0.5
    contradiction_penalty: float = 1.0
    relevance: float = 0.25
    wrong_ratio: float = 3.0  # a wrong claim outweighs this many covered key points


@dataclass(frozen=True)
class Assessment:
    """What the grader found in an answer, before it becomes a verdict."""

    text: str
    coverage: dict[str, float]
    misconceptions: tuple[str, ...]
    notes: tuple[str, ...]
    guarded: bool = False
    floor: float = 0.0
    contradicted: tuple[str, ...] = ()
    prose: bool = True
    relevant: bool = True


@dataclass(frozen=True, eq=False)
class _Phrase:
    """A keyword, requirement or claim compiled to stems with their polarity.

    Compared by identity: answers memoise searches per phrase, and a value hash over the
    token tuples cost more than the search it saves.
    """

    tokens: tuple[str, ...]
    polarity: tuple[bool, ...]  # True where the phrase itself negates the word
    maths: str | None
    strong: bool
    glued: str = ""  # the phrase written as one word ("mini batch" / "minibatch")
    short: frozenset[str] = frozenset()  # tokens too short to be found misspelt
    lone_short: str | None = None  # the phrase is this one short word, and no formula
    # As a claim: each word with its polarity, and how many of them an answer must assert.
    wanted: Mapping[str, bool] = field(default_factory=dict)
    needed: int = 0


class _Hit(NamedTuple):
    """Where a phrase was found (a tuple: answers make many, and tuples are cheap)."""

    sentence: int  # -1 for a formula (no sentence)
    asserted: bool  # False: the answer says it the other way round
    phrase: _Phrase
    at: int = -1  # first token of the hit


@dataclass
class _Point:
    """A key point compiled once: keywords, required terms, opposites and claim words."""

    keywords: list[_Phrase]
    requires: list[list[_Phrase]]  # each term: alternatives
    contradicted_by: list[_Phrase]
    claim_words: frozenset[str]
    text_words: frozenset[str]
    negative: bool  # the point itself is a denial ("needs no labels")
    # Every word that can reverse a word of the point's text (see _swapped).
    opposites: frozenset[str] = frozenset()
    # Per question: which keywords only repeat its words (computed once per question).
    question_only: dict[frozenset[str], list[bool]] = field(default_factory=dict)
    # Which keywords and counter-claims can be in an answer at all: most answers have none
    # of a point's, and skip their searches.
    keyword_triggers: _Triggers = field(default_factory=lambda: _Triggers.of(()))
    counter_triggers: _Triggers = field(default_factory=lambda: _Triggers.of(()))
    # The point's words the question does not give, per question.
    _unasked: dict[frozenset[str], frozenset[str]] = field(default_factory=dict)
    # An answer with none of these words (exactly or misspelt) and formulas can neither
    # support, deny nor reverse the point: the trigger words of its keywords and
    # counter-claims, and the opposites of its words. None for a point with no keywords
    # (every sentence is a candidate).
    alarms: frozenset[str] | None = None
    alarm_formulas: tuple[str, ...] = ()
    # Words of the point's phrases that may be found misspelt, and their misspellings
    # (for a point graded without its item; see _spell).
    spelled: frozenset[str] = frozenset()
    misspellings: _Misspellings | None = None

    def unasked(self, asked: frozenset[str]) -> frozenset[str]:
        """The point's own words, less the question's."""
        words = self._unasked.get(asked)
        if words is None:
            words = self._unasked[asked] = self.text_words - asked
        return words


@dataclass(frozen=True)
class _Rubric:
    """An item compiled for grading."""

    item: Item
    points: list[tuple[str, _Point]]  # each key point's text and compiled form
    texts: tuple[str, ...]  # the key points' texts
    claims: list[tuple[str, list[_Phrase]]]  # each misconception with its wordings
    asked: frozenset[str]  # the question's words
    misspellings: _Misspellings  # of the key points' words


@dataclass(frozen=True)
class _Triggers:
    """Which of a list of phrases an answer may say: a phrase needs its first word (exactly
    or misspelt), its words written as one, or its formula."""

    words: frozenset[str]
    by_word: Mapping[str, tuple[int, ...]]  # word -> indices of the phrases it triggers
    formulas: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, phrases: Sequence[_Phrase]) -> _Triggers:
        by_word: dict[str, list[int]] = {}
        for index, phrase in enumerate(phrases):
            if phrase.tokens:
                by_word.setdefault(phrase.tokens[0], []).append(index)
            if len(phrase.tokens) > 1:
                by_word.setdefault(phrase.glued, []).append(index)
        formulas = tuple((p.maths, i) for i, p in enumerate(phrases) if p.maths is not None)
        return cls(frozenset(by_word), {w: tuple(at) for w, at in by_word.items()}, formulas)

    def candidates(self, answer: Reading) -> list[int]:
        """Indices of the phrases that may be in the answer (its misspellings spotted)."""
        said = self.words.intersection(answer.token_set)
        if answer.typos:
            said |= self.words.intersection(answer.typos)
        if not said and not self.formulas:
            return []
        found = {index for word in said for index in self.by_word[word]}
        found.update(index for formula, index in self.formulas if formula in answer.maths)
        return sorted(found)


def compile_phrase(text: str, *, claim: bool = False) -> _Phrase:
    """Stems of a phrase without stopwords or negation cues; a formula keeps its maths form.

    A `claim` (a misconception's wording) keeps its comparatives: "needs more data" and
    "needs less data" are different claims.
    """
    folded = fold(text)
    reading = read(folded)
    tokens: list[str] = []
    polarity: list[bool] = []
    for token, negated in zip(reading.tokens, reading.negated, strict=True):
        if (token in STOPWORDS and not (claim and token in COMPARATIVES)) or token in _CUE_STEMS:
            continue
        tokens.append(token)
        polarity.append(negated)
    maths = compact(folded) if is_math(folded) else None
    # Multi-word phrases, formulas and long technical words are specific enough alone.
    strong = maths is not None or len(tokens) >= 2 or (len(tokens) == 1 and len(tokens[0]) >= 8)
    short = frozenset(token for token in tokens if len(token) < TYPO_MIN_LEN)
    lone = tokens[0] if len(tokens) == 1 and maths is None and short else None
    wanted = dict(zip(tokens, polarity, strict=True))
    # A short claim needs every word ("keep cross-entropy" is not "cross-entropy").
    needed = len(wanted) if len(wanted) <= 4 else math.ceil(0.75 * len(wanted))
    return _Phrase(
        tuple(tokens), tuple(polarity), maths, strong, "".join(tokens), short, lone, wanted, needed
    )


class LexicalGrader:
    """Grades `open`/`coding` answers by key points; choices by the option chosen."""

    def __init__(
        self,
        thresholds: Thresholds | None = None,
        *,
        corpus: Iterable[Item] = (),
    ) -> None:
        self.thresholds = thresholds or Thresholds()
        self._points: dict[str, _Point] = {}
        # Bank items are immutable: a key point's compiled form is found by identity first.
        self._by_point: dict[int, tuple[KeyPoint, _Point]] = {}
        self._rubrics: dict[int, _Rubric] = {}  # by item identity, as key points
        self._phrases: dict[tuple[str, bool], _Phrase] = {}
        self._claims: dict[str, list[_Phrase]] = {}
        self._vocabulary: dict[str, frozenset[str]] = {}
        self._misspellings: dict[frozenset[str], _Misspellings] = {}
        self._idf: dict[str, float] = {}
        self._default_idf = 1.0
        self.learn(corpus)

    def learn(self, items: Iterable[Item]) -> None:
        """Word weights from a bank: words every item uses say little about the topic."""
        documents = [self._item_words(item) for item in items]
        if not documents:
            return
        counts: dict[str, int] = {}
        for vocabulary in documents:
            for word in vocabulary:
                counts[word] = counts.get(word, 0) + 1
        total = len(documents)
        self._idf = {word: math.log((1 + total) / (1 + n)) + 1.0 for word, n in counts.items()}
        self._default_idf = math.log(1 + total) + 1.0

    def prepare(self, item: Item) -> None:
        """Compile an item's rubric once, on its first answer, whatever that answer is."""
        if item.id in self._vocabulary:
            return
        self._rubric(item)
        self._vocabulary[item.id] = self._item_words(item)

    def _rubric(self, item: Item) -> _Rubric:
        """The item compiled for grading, once per item object."""
        known = self._rubrics.get(id(item))
        if known is not None and known.item is item:
            return known
        points = [(point.text, self._compiled(point)) for point in item.key_points]
        spelled = frozenset().union(*(compiled.spelled for _, compiled in points))
        misspellings = self._misspellings.get(spelled)
        if misspellings is None:
            misspellings = self._misspellings[spelled] = _Misspellings(spelled)
        rubric = _Rubric(
            item,
            points,
            tuple(text for text, _ in points),
            [(claim.claim, self._wordings(claim)) for claim in item.claims],
            content_words(fold(item.question)),
            misspellings,
        )
        self._rubrics[id(item)] = rubric
        return rubric

    # --- public API (the domain's Grader protocol) -----------------------------------
    def grade(self, item: Item, text: str) -> GradeResult:
        return self.finish(item, self.assess(item, text))

    def assess(self, item: Item, text: str) -> Assessment:
        """Coverage per key point, contradictions, misconceptions and notices."""
        self.prepare(item)
        rubric = self._rubric(item)
        notes: list[str] = []
        if len(text) > MAX_CHARS:
            text = text[:MAX_CHARS]
            notes.append(NOTE_TRUNCATED)
        answer = Reading.of(text)
        nothing = dict.fromkeys(rubric.texts, 0.0)
        meaningful = [t for t in answer.tokens if t not in STOPWORDS]
        if len(meaningful) < 2 and not (item.type is ItemType.FLASHCARD and meaningful):
            return Assessment(text, nothing, (), (*notes, NOTE_TOO_SHORT), guarded=True)
        asked = rubric.asked
        if self._restates(asked, answer):
            return Assessment(text, nothing, (), (*notes, NOTE_RESTATED), guarded=True)
        if self._pasted(item.answer, answer) or self._pasted(item.short_answer, answer, 4, 12):
            return Assessment(text, nothing, (), (*notes, NOTE_PASTED), guarded=True)
        if not self._relevant(item, answer):
            return Assessment(
                text, nothing, (), (*notes, NOTE_OFF_TOPIC), guarded=True, relevant=False
            )
        rubric.misspellings.spot(answer)
        coverage: dict[str, float] = {}
        contradicted: list[str] = []
        for point_text, compiled in rubric.points:
            value, against = self._credit(compiled, answer, asked)
            coverage[point_text] = value
            if against:
                contradicted.append(point_text)
        floor = 0.0
        if item.type is ItemType.FLASHCARD and item.definition:
            floor = self._overlap(item.definition, answer)
        wrong = self._claimed(rubric.claims, answer, asked)
        prose = answer.is_prose or item.type in (ItemType.FLASHCARD, ItemType.CODING)
        if not prose:
            notes.append(NOTE_LIST)
        return Assessment(
            text,
            coverage,
            wrong,
            tuple(notes),
            floor=floor,
            contradicted=tuple(contradicted),
            prose=prose,
        )

    def finish(self, item: Item, assessment: Assessment) -> GradeResult:
        """Turn an assessment into a score and verdict."""
        coverage = assessment.coverage
        against = set(assessment.contradicted)
        covered: list[str] = []
        missed: list[str] = []
        contradicted: list[str] = []
        kept: list[float] = []  # the credit of each point not contradicted
        for name, value in coverage.items():
            if name in against:
                contradicted.append(name)
                continue
            kept.append(value)
            if value >= 1.0:
                covered.append(name)
            elif value < 1.0:
                missed.append(name)
        if assessment.guarded or not assessment.relevant:
            return GradeResult(
                Verdict.INCORRECT, 0.0, (), tuple(missed), (), assessment.notes, tuple(contradicted)
            )
        size = len(coverage) or 1
        earned = sum(kept) / size
        earned = max(earned, assessment.floor)
        wrong = assessment.misconceptions
        t = self.thresholds
        score = earned - t.misconception_penalty * len(wrong)
        score -= t.contradiction_penalty * len(contradicted) / size
        score = max(0.0, min(score, 1.0))
        verdict = self._verdict(score)
        if wrong or contradicted:
            # An answer that asserts something wrong is never correct; one whose wrong claims
            # weigh as much as what it gets right earns nothing.
            wrong_weight = len(wrong) + len(contradicted)
            right_weight = earned * size
            if verdict is Verdict.CORRECT:
                verdict = Verdict.PARTIAL
            if wrong_weight * t.wrong_ratio >= right_weight:
                verdict = Verdict.INCORRECT
        if not assessment.prose and verdict is Verdict.CORRECT:
            verdict = Verdict.PARTIAL  # terms without sentences show recall, not understanding
        return GradeResult(
            verdict,
            round(score, 4),
            tuple(covered),
            tuple(missed),
            wrong,
            assessment.notes,
            tuple(contradicted),
        )

    def grade_choice(self, item: Item, chosen: str) -> GradeResult:
        right = correct_choice(item)
        if right is None:
            raise ValueError(f"item {item.id} has no options to choose from")
        points = tuple(point.text for point in item.key_points)
        if _option_words(chosen) == _option_words(right):
            return GradeResult(Verdict.CORRECT, 1.0, points, ())
        return GradeResult(Verdict.INCORRECT, 0.0, (), points)

    # --- key points ---------------------------------------------------------------------
    def coverage(
        self, point: KeyPoint, answer: Reading, asked: frozenset[str] = frozenset()
    ) -> float:
        """1.0 covered, 0.5 touched on, 0.0 missed (contradictions aside)."""
        return self._judge(point, answer, asked)[0]

    def _judge(self, point: KeyPoint, answer: Reading, asked: frozenset[str]) -> tuple[float, bool]:
        """The point's credit, and whether the answer asserts its opposite.

        A sentence supports the point when it asserts evidence (with the required terms in
        the same clause or close by) and denies none; it denies the point when it negates a
        keyword while talking about the same claim.
        """
        return self._credit(self._compiled(point), answer, asked)

    def _credit(
        self, compiled: _Point, answer: Reading, asked: frozenset[str]
    ) -> tuple[float, bool]:
        """`_judge` for a compiled key point."""
        if not (answer.typo_scope and compiled.spelled <= answer.typo_scope[0]):
            self._spell(compiled, answer)
        alarms = compiled.alarms
        if (
            alarms is not None
            and alarms.isdisjoint(answer.token_set)
            and (not answer.typos or alarms.isdisjoint(answer.typos))
            and not any(formula in answer.maths for formula in compiled.alarm_formulas)
        ):
            # Most points of most answers: no sentence asserts or denies a keyword, none
            # reverses the point, no counter-claim; only a restatement can earn credit.
            return self._overlap_credit(compiled, answer, asked, frozenset()), False
        best, swapped = 0.0, False
        denying: Set[int] = frozenset()
        support: Set[int] = frozenset()
        indices = compiled.keyword_triggers.candidates(answer)
        if indices or not compiled.keywords:
            hits = [(i, hit) for i in indices for hit in self._find(compiled.keywords[i], answer)]
            if hits or not compiled.keywords:  # else no sentence can support or deny it
                best, swapped, denying, support = self._sentences(compiled, answer, asked, hits)
        if best < 1.0:
            best = max(best, self._overlap_credit(compiled, answer, asked, denying))
        against = False
        if best < 1.0:
            against = swapped or bool(denying) or self._contradicts(compiled, answer)
        elif compiled.contradicted_by:
            # A counter-claim inside a sentence that states the point is part of its working
            # ("256 - 5 = 251, plus 1 gives 252"); elsewhere it contradicts the point.
            against = self._counter_claimed(compiled, answer, exclude=support)
        return best, against

    def _sentences(
        self,
        compiled: _Point,
        answer: Reading,
        asked: frozenset[str],
        hits: Sequence[tuple[int, _Hit]],
    ) -> tuple[float, bool, set[int], set[int]]:
        """The best credit a sentence gives the point, whether one states it reversed, the
        sentences that deny it and those that support it."""
        question_only = compiled.question_only.get(asked)
        if question_only is None:
            question_only = [self._question_only(phrase, asked) for phrase in compiled.keywords]
            compiled.question_only[asked] = question_only
        asserted: dict[int, list[tuple[int, _Hit]]] = {}
        denied: dict[int, list[tuple[int, _Hit]]] = {}
        for index, hit in hits:
            (asserted if hit.asserted else denied).setdefault(hit.sentence, []).append((index, hit))
        # A sentence that both asserts and denies evidence ("cannot rely on one unit, like an
        # ensemble") is read by what it asserts.
        denying = {
            sentence
            for sentence, found in denied.items()
            if sentence >= 0
            and not any(not question_only[i] for i, _ in asserted.get(sentence, []))
            and self._denies(compiled, found, question_only, answer, sentence)
        }
        best = 0.0
        swapped = False
        support: set[int] = set()
        formula = [pair for pair in asserted.pop(-1, []) if not question_only[pair[0]]]
        if formula and not compiled.requires:
            best = 1.0
            support.add(-1)
        few = len(compiled.keywords) <= 2
        candidates = set(asserted)
        if not compiled.keywords:
            candidates = set(range(answer.sentences))
        for sentence in sorted(candidates - denying):
            found = asserted.get(sentence, [])
            fresh = [(i, h) for i, h in found if not question_only[i]]
            if compiled.requires:
                anchors = [h.at for _, h in found] or [-1]
                required = self._requires(compiled, answer, sentence, anchors, asked)
                if required is None:
                    continue
                if not fresh and not required:
                    continue  # only the question's words
            elif not fresh:
                continue
            if self._swapped(compiled, answer, sentence):
                swapped = True
                continue  # the sentence names the point but says the opposite
            distinct = {i for i, _ in found}
            overlap = self._sentence_overlap(compiled.unasked(asked), answer, sentence)
            if (
                any(h.phrase.strong for _, h in fresh)
                or len(distinct) >= 2
                or few
                or compiled.requires
                or overlap >= 0.34
            ):
                best = 1.0
                support.add(sentence)
                continue
            best = max(best, 0.5)
        return best, swapped, denying, support

    @staticmethod
    def _spell(compiled: _Point, answer: Reading) -> None:
        """Have the answer's misspellings of the point's words spotted: an item's points
        have them from `assess`; a point graded on its own spots its own."""
        for scope in answer.typo_scope:
            if compiled.spelled <= scope:
                return
        if compiled.misspellings is None:
            compiled.misspellings = _Misspellings(compiled.spelled)
        compiled.misspellings.spot(answer)

    def _denies(
        self,
        compiled: _Point,
        found: Sequence[tuple[int, _Hit]],
        question_only: Sequence[bool],
        answer: Reading,
        sentence: int,
    ) -> bool:
        """A negated keyword in a sentence about the same claim ("sigmoid never saturates")."""
        if compiled.negative:
            return False
        for index, hit in found:
            if question_only[index] and not hit.phrase.strong:
                continue
            if hit.phrase.strong:
                return True
            others = compiled.claim_words - set(hit.phrase.tokens)
            if others & answer.asserted_in(sentence):
                return True
        return False

    def _overlap_credit(
        self, compiled: _Point, answer: Reading, asked: frozenset[str], denying: Set[int]
    ) -> float:
        """A long key point restated in one sentence, in its own words (its required terms
        included, none of them reversed)."""
        wanted = compiled.unasked(asked)
        if len(wanted) < 3 or len(wanted & answer.token_set) / len(wanted) < 0.4:
            return 0.0
        # The best sentence that qualifies decides: take them best first, and stop below 0.4
        # (which earns nothing), before the costlier checks.
        shares = sorted(
            (
                (self._sentence_overlap(wanted, answer, s), s)
                for s in range(answer.sentences)
                if s not in denying
            ),
            reverse=True,
        )
        for share, s in shares:
            if share < 0.4:
                break
            if compiled.requires and self._requires(compiled, answer, s, [-1], asked) is None:
                continue
            if self._swapped(compiled, answer, s):
                continue
            return 1.0 if share >= 0.6 else 0.5
        return 0.0

    @staticmethod
    def _sentence_overlap(wanted: frozenset[str], answer: Reading, sentence: int) -> float:
        if not wanted:
            return 0.0
        return len(wanted & answer.asserted_in(sentence)) / len(wanted)

    def _requires(
        self,
        compiled: _Point,
        answer: Reading,
        sentence: int,
        anchors: Sequence[int],
        asked: frozenset[str],
    ) -> bool | None:
        """None when a required term is missing near the evidence (same clause, or within a
        few words); else whether any required term is more than the question's words."""
        fresh = False
        for term in compiled.requires:
            near = False
            for alternative in term:
                for hit in self._find(alternative, answer):
                    if not hit.asserted:
                        continue
                    if hit.sentence == -1 or (
                        hit.sentence == sentence
                        and any(
                            anchor < 0
                            or answer.clause[anchor] == answer.clause[hit.at]
                            or abs(anchor - hit.at) <= REQUIRE_REACH
                            for anchor in anchors
                        )
                    ):
                        near = True
                        fresh = fresh or not self._question_only(alternative, asked)
                        break
                if near:
                    break
            if not near:
                return None
        return fresh

    def _counter_claimed(
        self, compiled: _Point, answer: Reading, exclude: Set[int] = frozenset()
    ) -> bool:
        """The answer asserts one of the point's `contradicted_by` phrases."""
        indices = compiled.counter_triggers.candidates(answer)
        return bool(indices) and any(
            hit.asserted and hit.sentence not in exclude
            for index in indices
            for hit in self._find(compiled.contradicted_by[index], answer)
        )

    def _contradicts(self, compiled: _Point, answer: Reading) -> bool:
        """A counter-claim, or a sentence that states the point with a term swapped for its
        opposite ("training gets faster" for "slower")."""
        if self._counter_claimed(compiled, answer):
            return True
        if compiled.negative or not (compiled.opposites & answer.token_set):
            return False  # no sentence can reverse the point (see _swapped)
        return any(self._swapped(compiled, answer, s) for s in range(answer.sentences))

    @staticmethod
    def _swapped(compiled: _Point, answer: Reading, sentence: int) -> bool:
        """The sentence talks about the point's claim with one of its terms reversed."""
        if compiled.negative:
            return False
        claim = compiled.text_words
        have = answer.asserted_in(sentence)
        if not (claim & have) or not (compiled.opposites & have):
            return False
        at = [i for i in answer.span(sentence) if not answer.negated[i]]
        for word in claim - have:
            if SAME_SIDE.get(word, frozenset()) & have:
                continue  # "bigger learning rates" says "higher", whatever else is "less"
            opposite = (OPPOSITES.get(word, frozenset()) - FLIP_ONLY) - compiled.claim_words
            for i in at:
                if answer.tokens[i] not in opposite:
                    continue
                near = {
                    answer.tokens[j]
                    for j in at
                    if abs(j - i) <= SWAP_REACH and answer.tokens[j] != answer.tokens[i]
                }
                if len(claim & near) >= 2:
                    return True
        return False

    def _phrase(self, text: str, *, claim: bool = False) -> _Phrase:
        """compile_phrase, once per wording: equal wordings share one phrase (and its
        searches in an answer)."""
        phrase = self._phrases.get((text, claim))
        if phrase is None:
            phrase = self._phrases[(text, claim)] = compile_phrase(text, claim=claim)
        return phrase

    def _compiled(self, point: KeyPoint) -> _Point:
        known = self._by_point.get(id(point))
        if known is not None and known[0] is point:
            return known[1]
        key = "\x00".join(
            (point.text, *point.keywords, "|", *point.requires, "|", *point.contradicted_by)
        )
        cached = self._points.get(key)
        if cached is None:
            keywords = [self._phrase(k) for k in point.keywords]
            requires = [
                [self._phrase(a) for a in term.split("|") if a.strip()] for term in point.requires
            ]
            against = [self._phrase(c) for c in point.contradicted_by]
            text_reading = read(fold(point.text))
            text_words = frozenset(
                t
                for t in text_reading.tokens
                if (t not in STOPWORDS or t in COMPARATIVES) and t not in _CUE_STEMS
            )
            claim_words = text_words.union(
                *(p.tokens for p in keywords), *(p.tokens for term in requires for p in term)
            )
            cached = _Point(
                keywords,
                requires,
                against,
                frozenset(claim_words),
                text_words,
                negative=any(text_reading.negated)
                or bool(text_words & PRIVATIVE)
                or any(any(p.polarity) for p in keywords),
                opposites=frozenset().union(
                    *((OPPOSITES.get(w, frozenset()) - FLIP_ONLY) - claim_words for w in text_words)
                ),
            )
            searched = [*keywords, *(p for term in requires for p in term), *against]
            cached.spelled = frozenset(
                t for p in searched for t in p.tokens if len(t) >= TYPO_MIN_LEN
            )
            cached.keyword_triggers = _Triggers.of(keywords)
            cached.counter_triggers = _Triggers.of(against)
            if keywords:
                cached.alarms = (
                    cached.keyword_triggers.words | cached.counter_triggers.words | cached.opposites
                )
                cached.alarm_formulas = tuple(
                    formula
                    for triggers in (cached.keyword_triggers, cached.counter_triggers)
                    for formula, _ in triggers.formulas
                )
            self._points[key] = cached
        self._by_point[id(point)] = (point, cached)
        return cached

    @staticmethod
    def _question_only(phrase: _Phrase, asked: frozenset[str]) -> bool:
        """Terms and numbers the question itself gives are not evidence by themselves."""
        if phrase.maths is not None:
            return False
        return bool(phrase.tokens) and all(token in asked for token in phrase.tokens)

    def _find(self, phrase: _Phrase, answer: Reading) -> list[_Hit]:
        """Where the answer says the phrase: each hit in one sentence, asserted or denied."""
        found = answer.found.get(phrase)
        if found is None:
            if phrase.lone_short is not None and phrase.lone_short not in answer.positions:
                found = []  # its one short word is missing (short words are never misspelt)
            else:
                found = self._search(phrase, answer)
            answer.found[phrase] = found
        return found  # type: ignore[return-value]

    @staticmethod
    def _search(phrase: _Phrase, answer: Reading) -> list[_Hit]:
        if phrase.maths is not None and phrase.maths in answer.maths:
            return [_Hit(-1, True, phrase)]
        if not phrase.tokens:
            return []
        if len(phrase.tokens) > 1 and phrase.glued in answer.positions:
            return [
                _Hit(answer.sentence[i], answer.negated[i] == phrase.polarity[0], phrase, i)
                for i in answer.positions[phrase.glued]
            ]
        exact = answer.positions
        if len(phrase.tokens) == 1:  # most keywords: each place the word is, as said there
            token = phrase.tokens[0]
            at = exact.get(token)
            if at is None:
                if len(token) < TYPO_MIN_LEN:
                    return []
                at = answer.typos.get(token, ())
            wanted = phrase.polarity[0]
            return [_Hit(answer.sentence[i], answer.negated[i] == wanted, phrase, i) for i in at]
        window = len(phrase.tokens) + 2
        # Every word must be there, exactly or misspelt: a short word that is missing ends
        # the search before any fuzzy matching.
        if not answer.token_set.issuperset(phrase.short):
            return []
        positions: list[Sequence[int]] = []
        for token in phrase.tokens:
            found: Sequence[int] | None = exact.get(token)
            if found is None:
                found = answer.typos.get(token, ())
                if not found:
                    return []
            positions.append(found)
        result: list[_Hit] = []
        for start in positions[0]:
            sentence = answer.sentence[start]
            chosen = [start]
            for others in positions[1:]:
                near = [
                    p for p in others if abs(p - start) <= window and answer.sentence[p] == sentence
                ]
                if not near:
                    break
                chosen.append(min(near, key=lambda p: abs(p - start)))
            else:
                agree = [
                    answer.negated[p] == wanted
                    for p, wanted in zip(chosen, phrase.polarity, strict=True)
                ]
                if all(agree):
                    result.append(_Hit(sentence, True, phrase, min(chosen)))
                elif not any(agree):
                    result.append(_Hit(sentence, False, phrase, min(chosen)))
        return result

    def _overlap(self, reference: str, answer: Reading) -> float:
        """Share of the reference's content words present in the answer."""
        wanted = content_words(fold(reference))
        if not wanted:
            return 0.0
        return len(wanted & answer.token_set) / len(wanted)

    # --- misconceptions -----------------------------------------------------------------
    def misconceptions(
        self,
        claims: Iterable[Misconception | str],
        answer: Reading | str,
        asked: frozenset[str] = frozenset(),
    ) -> tuple[str, ...]:
        """Wrong claims the answer asserts: nearly all their words in one sentence, in the same
        polarity, none denied and none swapped for an opposite."""
        if isinstance(answer, str):
            answer = Reading.of(answer)
        compiled = [
            (claim.claim, self._wordings(claim))
            for claim in (
                c if isinstance(c, Misconception) else Misconception(claim=c) for c in claims
            )
        ]
        return self._claimed(compiled, answer, asked)

    def _claimed(
        self,
        claims: Sequence[tuple[str, Sequence[_Phrase]]],
        answer: Reading,
        asked: frozenset[str],
    ) -> tuple[str, ...]:
        """The claims (each with its compiled wordings) the answer asserts."""
        said = answer.token_set
        found: list[str] = []
        for claim, wordings in claims:
            for wording in wordings:
                # Most answers lack the words of most claims: checked before the call.
                if len(said.intersection(wording.wanted)) < wording.needed:
                    continue
                if self._asserts(wording, answer, asked):
                    found.append(claim)
                    break
        return tuple(found)

    def _wordings(self, claim: Misconception) -> list[_Phrase]:
        cached = self._claims.get(claim.claim + "\x00" + "\x00".join(claim.wordings))
        if cached is None:
            cached = [self._phrase(w, claim=True) for w in claim.all_wordings]
            self._claims[claim.claim + "\x00" + "\x00".join(claim.wordings)] = cached
        return cached

    @staticmethod
    def _asserts(claim: _Phrase, answer: Reading, asked: frozenset[str]) -> bool:
        """Nearly all the claim's words, close together in one sentence, none denied."""
        wanted = claim.wanted
        if not wanted:
            return False
        needed = claim.needed
        if len(answer.token_set.intersection(wanted)) < needed:
            return False  # the answer lacks the words, wherever they would be
        new = {t for t in wanted if t not in asked}
        span = len(wanted) + CLAIM_SLACK
        sentences = sorted(
            {answer.sentence[i] for t in wanted for i in answer.positions.get(t, ())}
        )
        for sentence in sentences:
            indices = answer.span(sentence)
            said = {answer.tokens[i] for i in indices}
            denied = {
                t
                for t, neg in wanted.items()
                if t in said
                and all(answer.negated[i] != neg for i in indices if answer.tokens[i] == t)
            }
            if denied:
                continue
            agreeing = [
                (i, answer.tokens[i])
                for i in indices
                if answer.tokens[i] in wanted and answer.negated[i] == wanted[answer.tokens[i]]
            ]
            for start, (first, _) in enumerate(agreeing):
                agree = {t for i, t in agreeing[start:] if i - first < span}
                if len(agree) < needed:
                    continue
                if new and len(agree & new) / len(new) < 0.67:
                    continue
                missing = set(wanted) - agree
                if any(OPPOSITES.get(t, frozenset()) & said for t in missing):
                    continue  # "behaves differently" contradicts "behaves the same"
                return True
        return False

    # --- topic --------------------------------------------------------------------------
    @staticmethod
    def _item_words(item: Item) -> frozenset[str]:
        parts = [
            item.question,
            item.answer,
            item.short_answer,
            item.term or "",
            item.definition or "",
        ]
        for point in item.key_points:
            parts += [point.text, *point.keywords, *point.requires]
        parts += [w for claim in item.claims for w in claim.all_wordings]
        return content_words(fold(" ".join(parts)))

    def _relevant(self, item: Item, answer: Reading) -> bool:
        """Most of what the answer talks about (weighted by rarity) belongs to this item."""
        if not self._idf:
            return True
        vocabulary = self._vocabulary[item.id]  # filled by prepare()
        said = {
            t
            for t in answer.token_set
            if t not in STOPWORDS and t not in _CUE_STEMS and not t.isdigit()
        }
        if not said:
            return True
        weight = {t: self._idf.get(t, self._default_idf) for t in said}
        total = sum(weight.values())
        on_topic = sum(w for t, w in weight.items() if t in vocabulary)
        return on_topic / total >= self.thresholds.relevance

    # --- guards -------------------------------------------------------------------------
    @staticmethod
    def _restates(asked: frozenset[str], answer: Reading) -> bool:
        said = [t for t in answer.tokens if t not in STOPWORDS]
        new = [t for t in said if t not in asked]
        return len(new) <= 1 or (len(said) >= 4 and len(new) / len(said) < 0.15)

    @staticmethod
    def _pasted(
        reference: str, answer: Reading, n: int = PASTE_NGRAM, min_tokens: int = 25
    ) -> bool:
        """Most of the answer's n-grams appear in the reference text."""
        if len(answer.tokens) < min_tokens or not reference:
            return False
        tokens = answer.plain_words()
        count = len(tokens) - n + 1
        if count <= 0:
            return False
        # An n-gram of the reference has only the reference's words: n-grams of the answer
        # can match at most (its words the reference has) - n + 1 times. Most answers stop
        # here, before any n-gram is made.
        shared = len(list(filter(_reference_words(reference).__contains__, tokens)))
        if (shared - n + 1) / count < 0.6:
            return False
        ref_grams = _ngrams(reference, n)
        grams = [tuple(tokens[i : i + n]) for i in range(count)]
        return sum(g in ref_grams for g in grams) / count >= 0.6

    def _verdict(self, score: float) -> Verdict:
        if score >= self.thresholds.correct:
            return Verdict.CORRECT
        if score >= self.thresholds.partial:
            return Verdict.PARTIAL
        return Verdict.INCORRECT


def _option_words(text: str) -> list[str]:
    """An option's words, whatever punctuation ends it."""
    return words(fold(text.strip().rstrip(".;!")))


# A word of TYPO_MIN_LEN letters or more is never within TYPO_RATIO of one this short.
_TYPO_SHORTEST = 4
# Answer words remembered per set of rubric words: a cache, emptied when it holds this many.
_NEAR_LIMIT = 4096


class _Misspellings:
    """Which answer words are misspellings of some rubric words (fuzzy ratio at least
    TYPO_RATIO), remembered across answers.

    Looked up from the answer's side: answers share most of their vocabulary, so each answer
    word was nearly always compared before, and one look-up per answer word replaces a
    comparison per rubric word searched.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words)
        self._all = sorted(self.words)
        # A number shares no character with a word without digits: only these can be close.
        self._with_digits = [word for word in self._all if not word.isalpha()]
        self._near: dict[str, tuple[str, ...]] = {}  # answer word -> other words close to it
        self._far: set[str] = set()  # answer words close to none of the others

    def spot(self, answer: Reading) -> None:
        """Record in the answer where it misspells each of the words (and that it misspells
        none of the others)."""
        if answer.typo_scope and answer.typo_scope[-1] is self.words:
            return
        spotted: dict[str, list[int]] = {}
        exact = answer.positions
        for token in answer.token_set - self._far:  # most words are known to be far
            close = self._near.get(token)
            if close is None:
                close = self._close(token)
            for word in close:
                if word not in exact:
                    spotted.setdefault(word, []).extend(exact[token])
        for word, where in spotted.items():
            answer.typos[word] = tuple(sorted(where))
        answer.typo_scope.append(self.words)

    def _close(self, token: str) -> tuple[str, ...]:
        """The words (other than itself) `token` is a misspelling of."""
        if len(token) < _TYPO_SHORTEST:
            close: tuple[str, ...] = ()  # shorter words never reach TYPO_RATIO
        else:
            choices = self._with_digits if token.isdigit() else self._all
            if not choices:
                return ()  # a number, and no word has digits (numbers are not remembered)
            close = tuple(
                word
                for word, _, _ in process.extract(
                    token, choices, scorer=fuzz.ratio, score_cutoff=TYPO_RATIO, limit=None
                )
                if word != token
            )
        if len(self._near) + len(self._far) >= _NEAR_LIMIT:
            self._near.clear()
            self._far.clear()
        if close:
            self._near[token] = close
        else:
            self._far.add(token)
        return close
