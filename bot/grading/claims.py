"""An answer read as claims: sentences, negation scopes, opposites and whether it is prose.

A key point is evidence only where the answer *asserts* it: inside one sentence, not under
a negation ("not", "never", "rather than", "instead of", "without" ...), and not with a
term swapped for its opposite. This module turns folded answer text into tokens that carry
those facts, so the grader can ask "is this phrase asserted here?" instead of "is this word
somewhere in the text?".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.grading.text import STOPWORDS, compact, fold, stem

# Words, plus the punctuation that ends a sentence or a clause. A full stop ends a sentence
# only before a space (so `model.eval()` and `0.5` stay inside one).
_PIECE = re.compile(r"[a-z0-9]+|\.(?=\s|$)|[!?;\n]|:(?=\s)|,|\s[-–—/|+]\s|->|=>|→")
_SENTENCE_END = frozenset({".", "!", "?", ";", "\n", ":"})
# Words that start a new sentence: what follows is a separate claim.
_SENTENCE_WORDS = frozenset({"but", "however", "whereas", "although", "though", "while"})
# Words and marks that end a negation's reach (a new clause begins).
_CLAUSE_WORDS = frozenset(
    {
        "and",
        "but",
        "so",
        "because",
        "since",
        "which",
        "whereas",
        "while",
        "then",
        "instead",
        "unlike",
        "like",
        "than",
        "though",
        "although",
        "thus",
        "hence",
        "therefore",
        "yet",
    }
)
_CLAUSE_MARKS = frozenset({",", "->", "=>", "→"})
# Single-word negation cues (folding already turned "n't" into " not").
NEGATION_CUES = frozenset(
    {
        "not",
        "no",
        "never",
        "none",
        "nothing",
        "neither",
        "nor",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "wont",
        "shouldnt",
        "wouldnt",
        "couldnt",
        "hasnt",
        "havent",
        "hadnt",
        "didnt",
        "without",
        "nobody",
        "lacks",
        "lack",
        "fails",
        "fail",
        "neednt",
        "stops",
        "avoid",
        "avoids",
    }
)
# Two-word cues: "rather than X" and "instead of X" deny X; "no longer" denies what follows.
_PAIR_CUES = frozenset(
    {("rather", "than"), ("instead", "of"), ("no", "longer"), ("as", "opposed"), ("opposed", "to")}
)
# "not only X but also Y" asserts X: these pairs are not negations.
_NOT_NEGATING = frozenset(
    {("not", "only"), ("not", "just"), ("no", "matter"), ("not", "necessarily"), ("no", "doubt")}
)
NEGATION_REACH = 6

# Opposites (stems): true antonyms only, so "avoids vanishing gradients" never reads as
# "exploding gradients" nor "prevents overfitting" as "underfitting". A claim that uses
# the other word contradicts a key point; a negated word with an opposite reads as the
# opposite ("not slower").
OPPOSITE_PAIRS: tuple[tuple[str, str], ...] = (
    ("on", "off"),
    ("enabl", "disabl"),
    ("activ", "inact"),
    ("activ", "disabl"),
    ("increas", "decreas"),
    ("increas", "reduc"),
    ("rais", "lower"),
    ("grow", "shrink"),
    ("larger", "smaller"),
    ("larg", "small"),
    ("bigger", "smaller"),
    ("big", "small"),
    ("higher", "lower"),
    ("high", "low"),
    ("more", "less"),
    ("more", "fewer"),
    ("faster", "slower"),
    ("fast", "slow"),
    ("befor", "after"),
    ("first", "last"),
    ("train", "infer"),
    ("train", "test"),
    ("encod", "decod"),
    ("l1", "l2"),
    ("batch", "layer"),
    ("local", "global"),
    ("same", "differ"),
    ("keep", "chang"),
    ("use", "disabl"),
    ("appli", "disabl"),
    ("upsampl", "downsampl"),
    ("expand", "compress"),
    ("addit", "multipl"),
    ("alway", "never"),
    ("linear", "nonlinear"),
    ("supervis", "unsupervis"),
    ("label", "unlabel"),
    ("overwrit", "accumul"),
    ("add", "remov"),
    ("add", "subtract"),
    ("maxim", "minim"),
    ("determinist", "random"),
    ("determinist", "stochast"),
    ("sharper", "flatter"),
    ("sharp", "flat"),
    ("deep", "shallow"),
    ("deeper", "shallow"),
    ("wider", "narrower"),
    ("forward", "backward"),
    ("input", "output"),
    ("posit", "negat"),
    ("upper", "lower"),
    ("parallel", "sequenti"),
    ("stabl", "unstabl"),
    ("easier", "harder"),
    ("cheaper", "expens"),
    ("sparser", "denser"),
    ("spars", "dens"),
)


def _opposites(pairs: tuple[tuple[str, str], ...]) -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for a, b in pairs:
        table.setdefault(a, set()).add(b)
        table.setdefault(b, set()).add(a)
    return {word: frozenset(others) for word, others in table.items()}


# Directions: any word of one side is the opposite of any word of the other.
_UP = ("increas", "larger", "bigger", "higher", "grow", "rais", "expand", "upsampl")
_DOWN = ("decreas", "smaller", "lower", "reduc", "shrink", "fewer", "compress", "downsampl")
OPPOSITES: Mapping[str, frozenset[str]] = _opposites(
    OPPOSITE_PAIRS + tuple((up, down) for up in _UP for down in _DOWN)
)
_ON = ("on", "enabl", "activ")
_OFF = ("off", "disabl", "inact", "deactiv")
# Words on the same side ("bigger" says what "higher" says, "off" what "disabled" says).
SAME_SIDE: Mapping[str, frozenset[str]] = {
    word: frozenset(side) - {word} for side in (_UP, _DOWN, _ON, _OFF) for word in side
}
# Verbs that deny their object: a point "prevents co-adaptation" is stated by "no
# co-adaptation", so a negation near its words is no contradiction.
PRIVATIVE = frozenset(
    {
        "prevent",
        "avoid",
        "stop",
        "elimin",
        "remov",
        "suppress",
        "mitig",
        "block",
        "reduc",
        "lack",
        "lose",
        "without",
        "break",
        "free",
        "never",
        "disabl",
    }
)

# Opposites that only count as a flip of a negated word, never as a swap on their own:
# "not training" is inference, but "training" next to "inference" in a sentence is normal.
FLIP_ONLY = frozenset(
    {
        "use",
        "appli",
        "train",
        "infer",
        "test",
        "input",
        "output",
        "batch",
        "layer",
        "bias",
        "varianc",
        "forward",
        "backward",
        "encod",
        "decod",
        "first",
        "last",
        "add",
        "remov",
        "subtract",
    }
)

# Words that separate the pieces of a list ("a and b and c").
_LIST_WORDS = frozenset({"and", "or"})
LIST_PIECE_WORDS = 4
# Finite verbs and auxiliaries: a sentence without any reads as a list of terms.
_AUX = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "doesnt",
        "dont",
        "didnt",
        "cant",
        "cannot",
        "wont",
        "its",
        "thats",
        "theres",
        "whats",
    ]
)
_VERB_BASES = """
act add adjust affect aim allow apply approximate assign avoid become begin behave blow
break build calculate capture cause change choose clip collapse combine compare compress
compute connect contain control convert copy correct correspond cost count create cut
decay decide decode decrease define depend describe detect determine differ divide drop
dominate encode end enforce ensure estimate explode explain express extract feed fill find
fit fix flow focus follow force generalise generalize generate get give go grow guarantee
handle happen help hold ignore improve include increase introduce involve keep lead learn
let limit look lose make map match mean measure memorize memorise minimize minimise
maximize maximise miss mix model move multiply need normalise normalize obtain occur
output overfit pass penalise penalize perform pick predict prevent produce project
propagate provide push put reach read reconstruct reduce refer regularise regularize
rely remain remove replace represent require reset rescale restore return reuse run sample
saturate save scale search see select send separate set shift show shrink shuffle skip
slow smooth solve speed split squash stabilise stabilize stack start stay stop store
subtract sum support suppress take tell tend train transform treat try tune turn underfit
update use vanish vary want weight work yield zero
"""
_IRREGULAR = """
became began blew broke built chose came fed found gave got went grew held kept led learnt slid
lost made meant ran saw sent shrank spent stood took told thought understood wrote
"""
# Bases whose "-s" form is as often a plural noun ("weights", "outputs"): not evidence of a verb.
_NOUNISH = frozenset(
    [
        "act",
        "aim",
        "change",
        "control",
        "copy",
        "cost",
        "count",
        "cut",
        "decay",
        "drop",
        "end",
        "feed",
        "fit",
        "flow",
        "limit",
        "look",
        "map",
        "match",
        "mix",
        "model",
        "need",
        "output",
        "pass",
        "project",
        "read",
        "return",
        "run",
        "sample",
        "scale",
        "search",
        "set",
        "shift",
        "skip",
        "split",
        "stack",
        "step",
        "sum",
        "support",
        "turn",
        "update",
        "use",
        "weight",
        "work",
        "yield",
        "zero",
    ]
)
# Words that glue a sentence together; a list of terms rarely has two of them.
_FUNCTION = frozenset(
    ["the", "a", "an", "to", "by", "because", "which", "when", "if", "so", "than"]
)


def _verb_forms() -> frozenset[str]:
    """Third-person forms of common verbs (plus irregular pasts): "it normalizes ..."."""
    forms: set[str] = set(_IRREGULAR.split())
    for base in _VERB_BASES.split():
        if base in _NOUNISH:
            continue
        if base.endswith("y") and base[-2:] not in ("ay", "ey", "oy"):
            forms.add(base[:-1] + "ies")
        elif base.endswith(("s", "sh", "ch", "x", "z")):
            forms.add(base + "es")
        else:
            forms.add(base + "s")
    return frozenset(forms)


_VERBS = _verb_forms()
_BARE_VERBS = frozenset(_VERB_BASES.split()) - _NOUNISH
BARE_VERB_WORDS = 5
# Subjects that make the following words a sentence ("we scale ...", "it zeroes ...").
_SUBJECTS = frozenset({"it", "they", "we", "you"})
_AUX_SUBJECTS = _AUX | _SUBJECTS
_SENTENCE_MARKERS = _AUX | _SUBJECTS | _VERBS


@dataclass(slots=True)
class Reading:
    """An answer folded and tokenised, each token knowing its sentence and its polarity.

    Made by `read` and never changed after, but for the grader's caches on it (not a frozen
    dataclass: building one is on every answer's path, and frozen fields are slow to set).
    """

    folded: str
    tokens: tuple[str, ...]  # stems, stopwords kept
    sentence: tuple[int, ...]  # sentence index of each token
    clause: tuple[int, ...]  # clause index of each token (commas, "and", "while" ... split)
    negated: tuple[bool, ...]  # inside a negation's reach (after flips)
    # Per sentence: its list segments of words (what `prose` is judged from).
    _parts: list[list[list[str]]]
    positions: Mapping[str, tuple[int, ...]]
    token_set: frozenset[str]
    typos: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)
    # Rubric words whose misspellings are all in `typos` already (the grader's cache).
    typo_scope: list[frozenset[str]] = field(default_factory=list, compare=False)
    _prose: tuple[bool, ...] | None = field(default=None, compare=False)
    _flipped: tuple[tuple[int, str], ...] = field(default=(), compare=False)
    _plain: list[str] | None = field(default=None, compare=False)
    _maths: str | None = field(default=None, compare=False)
    _spans: tuple[range, ...] = field(default=(), compare=False)
    # Phrase searches done on this answer (the grader's cache; key points share phrases).
    found: dict[object, object] = field(default_factory=dict, compare=False)
    _asserted: dict[int, frozenset[str]] = field(default_factory=dict, compare=False)

    def plain_words(self) -> list[str]:
        """Stems of every word as written (no flips), as `text.words` gives them."""
        if self._plain is None:
            self._plain = list(self.tokens)
            for index, word in self._flipped:
                self._plain[index] = word
        return self._plain

    @property
    def maths(self) -> str:
        """The text in maths form (see `compact`), for formulas; made on first use."""
        if self._maths is None:
            self._maths = compact(self.folded)
        return self._maths

    @property
    def sentences(self) -> int:
        return len(self._parts)

    @property
    def prose(self) -> tuple[bool, ...]:
        """Per sentence: reads as a sentence, not a list of terms (judged on first use)."""
        if self._prose is None:
            self._prose = tuple(_is_prose(part) for part in self._parts)
        return self._prose

    def span(self, sentence: int) -> range:
        """Token indices of one sentence (sentences are contiguous)."""
        return self._spans[sentence] if sentence < len(self._spans) else range(0)

    def asserted_in(self, sentence: int) -> frozenset[str]:
        """Tokens a sentence asserts (outside any negation)."""
        cached = self._asserted.get(sentence)
        if cached is None:
            cached = frozenset(self.tokens[i] for i in self.span(sentence) if not self.negated[i])
            self._asserted[sentence] = cached
        return cached

    @property
    def is_prose(self) -> bool:
        """At least one real sentence (a verb among several words)."""
        if self._prose is None:
            return any(_is_prose(part) for part in self._parts)  # the first one will do
        return any(self._prose)

    def asserted(self, index: int) -> bool:
        return not self.negated[index]

    @classmethod
    def of(cls, text: str) -> Reading:
        folded = fold(text)
        return read(folded)


# What read() must notice about a word, looked up once per word (most words have none).
_SENTENCE_WORD, _CLAUSE_WORD, _LIST_WORD, _CUE, _PAIR_END, _STOP = 1, 2, 4, 8, 16, 32
# Punctuation pieces, and those that end a sentence.
_MARK, _END = 64, 128
# Every class but _STOP (which only matters while a negation counts down).
_SPECIAL = _SENTENCE_WORD | _CLAUSE_WORD | _LIST_WORD | _CUE | _PAIR_END | _MARK | _END


def _word_classes() -> dict[str, int]:
    classes: dict[str, int] = {}
    for words_, flag in (
        (_SENTENCE_WORDS, _SENTENCE_WORD),
        (_CLAUSE_WORDS, _CLAUSE_WORD),
        (_LIST_WORDS, _LIST_WORD),
        (NEGATION_CUES, _CUE),
        ({second for _, second in _PAIR_CUES | _NOT_NEGATING}, _PAIR_END),
        (STOPWORDS, _STOP),
    ):
        for word in words_:
            classes[word] = classes.get(word, 0) | flag
    return classes


_CLASSES = _word_classes()
# The flip of a negated word with an opposite ("not slower" -> "faster"), per stem.
_FLIP = {token: sorted(others)[0] for token, others in OPPOSITES.items() if token not in STOPWORDS}
# Each piece read() has met: its classes and its stem (a mark: _MARK and its plain form).
# A cache (answers share most words), emptied whole when it holds _PIECES_LIMIT pieces.
_PIECES: dict[str, tuple[int, str]] = {}
_PIECES_LIMIT = 65536


def _piece(piece: str) -> tuple[int, str]:
    """What read() needs of a piece, remembered."""
    if piece[0].isalnum():
        known = (_CLASSES.get(piece, 0), stem(piece))
    else:
        mark = piece.strip() or "\n"
        known = (_MARK | (_END if mark in _SENTENCE_END else 0), mark)
    if len(_PIECES) >= _PIECES_LIMIT:
        _PIECES.clear()
    _PIECES[piece] = known
    return known


def read(folded: str) -> Reading:
    """Tokenise folded text into a Reading.

    The hot path of grading: one pass over the pieces, each piece's classes and stem
    looked up once. (The words among _PIECE's pieces are those `text.words` finds.)
    """
    stems: list[str] = []
    flipped: list[tuple[int, str]] = []  # where a flip replaced the stem, and the stem
    sentence_of: list[int] = []
    clause_of: list[int] = []
    clause = 0
    negated: list[bool] = []
    where: dict[str, list[int]] = {}  # each stem's positions
    segment: list[str] = []  # the current list segment of the current sentence
    current: list[list[str]] = [segment]  # the current sentence's segments
    prose_parts: list[list[list[str]]] = [current]  # sentences of list segments of words
    sentence = 0
    reach = 0  # tokens still inside the current negation
    previous = ""
    known = _PIECES
    flips = _FLIP
    for piece in _PIECE.findall(folded):
        kind, token = known.get(piece) or _piece(piece)
        in_scope = False
        # Most words have no class but stopword, and no negation counts down over them:
        # they skip straight to being recorded.
        if kind & _SPECIAL or reach:
            if kind & _MARK:
                if kind & _END and current[0]:
                    sentence += 1
                    segment = []
                    current = [segment]
                    prose_parts.append(current)
                elif segment:
                    segment = []
                    current.append(segment)
                clause += 1
                reach = 0
                continue
            in_scope = reach > 0
            if kind:
                if kind & _SENTENCE_WORD and current[0]:
                    sentence += 1
                    clause += 1
                    segment = []
                    current = [segment]
                    prose_parts.append(current)
                    reach = 0
                elif kind & _CLAUSE_WORD:
                    clause += 1
                    reach = 0
                if kind & _LIST_WORD and segment:
                    segment = []
                    current.append(segment)
                in_scope = reach > 0
                if kind & _PAIR_END and (previous, piece) in _NOT_NEGATING:
                    reach = 0
                    if negated:
                        negated[-1] = False
                    in_scope = False
                elif kind & _CUE or (kind & _PAIR_END and (previous, piece) in _PAIR_CUES):
                    reach = NEGATION_REACH + 1
                    in_scope = False
            if in_scope and reach == NEGATION_REACH and token in flips:
                # "not slower" reads as "faster": the negation is spent on the flip.
                flipped.append((len(stems), token))
                token = flips[token]
                in_scope = False
                reach = 0
            if reach and not (kind & _STOP and reach == NEGATION_REACH):
                reach -= 1
        previous = piece
        at = where.get(token)
        if at is None:
            where[token] = [len(stems)]
        else:
            at.append(len(stems))
        stems.append(token)
        sentence_of.append(sentence)
        clause_of.append(clause)
        negated.append(in_scope)
        if not kind & _LIST_WORD:
            segment.append(piece)
    if not prose_parts[-1][0] and len(prose_parts) > 1:
        prose_parts.pop()
    return Reading(
        folded=folded,
        tokens=tuple(stems),
        sentence=tuple(sentence_of),
        clause=tuple(clause_of),
        negated=tuple(negated),
        _parts=prose_parts,
        positions={token: tuple(at) for token, at in where.items()},
        token_set=frozenset(where),
        _flipped=tuple(flipped),
        _spans=_spans(sentence_of, len(prose_parts)),
    )


def _spans(sentence_of: list[int], count: int) -> tuple[range, ...]:
    # Sentence numbers only grow along the tokens: each sentence starts where the first
    # token of its number or a later one is (a trailing list word may have number `count`).
    starts = [bisect_left(sentence_of, s) for s in range(count + 1)]
    return tuple(range(starts[s], starts[s + 1]) for s in range(count))


def _is_prose(segments: list[list[str]]) -> bool:
    """A sentence, not a list of terms.

    Words read as a sentence when they hold an auxiliary, a subject, a verb or glue words;
    a line of many short comma-, slash- or "and"-separated pieces is a list even when a
    piece has a verb ("learns from pixels / replaces SIFT / ...").
    """
    pieces = [segment for segment in segments if segment]
    if len(pieces) > 2:
        # "It uses alpha, beta and gamma": a clause with an auxiliary or a subject makes a
        # sentence of its enumeration; otherwise most pieces must read as clauses.
        if any(len(piece) >= 3 and not _AUX_SUBJECTS.isdisjoint(piece) for piece in pieces):
            return True
        return sum(1 for piece in pieces if _reads(piece)) * 2 >= len(pieces)
    return _reads([word for piece in pieces for word in piece])


def _reads(words: list[str]) -> bool:
    if len(words) < 3:
        return False
    if not _SENTENCE_MARKERS.isdisjoint(words):
        return True
    # "Convolutions find local patterns ...": a bare verb after a plural subject, in a
    # clause too long to be one term of a list.
    if len(words) >= BARE_VERB_WORDS and not _BARE_VERBS.isdisjoint(words[1:]):
        return True
    return sum(map(_FUNCTION.__contains__, words)) >= 2
