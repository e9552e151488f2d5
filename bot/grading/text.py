"""Text normalisation shared by answers, keywords and misconceptions.

Everything an answer may say in several ways is folded to one form before matching:
case, Unicode (NFKC), British/American spelling, abbreviations, number words, LaTeX and
spoken maths, so `1/(1-p)`, `\\frac{1}{1-p}` and "one over one minus p" meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import repeat

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")
WORD = re.compile(r"[a-z0-9]+")
SENTENCE = re.compile(r"(?<=[.!?;:\n])\s+|\s+(?:but|however|whereas|although)\s+")

_STOPWORDS_TEXT = """
a an the of and or in on to for is are was were be been being it its this that these those
with by as at from into than then so such can could would should will may might do does
did has have had which what who whom how why when where there their them they we you your
our i me my he she his her also just very more most much many some any each all both about
over via per if while
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_NEGATIONS_TEXT = """
not no never none nothing neither nor cannot cant dont doesnt isnt arent wasnt werent wont
shouldnt wouldnt couldnt hasnt havent hadnt didnt false wrong myth
incorrect
"""
NEGATIONS = frozenset(_NEGATIONS_TEXT.split())
NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "hundred": "100",
    "half": "0.5",
}
# Abbreviations and variants candidates use, folded to the words the keywords use.
SYNONYMS = {
    "nn": "neural network",
    "nns": "neural networks",
    "ann": "neural network",
    "dnn": "deep neural network",
    "lr": "learning rate",
    "bn": "batch normalization",
    "batchnorm": "batch normalization",
    "layernorm": "layer normalization",
    "ln": "layer normalization",
    "grad": "gradient",
    "grads": "gradients",
    "params": "parameters",
    "param": "parameter",
    "conv": "convolution",
    "convs": "convolutions",
    "convnet": "convolutional neural network",
    "convnets": "convolutional neural networks",
    "backprop": "backpropagation",
    "sgd": "stochastic gradient descent",
    "gd": "gradient descent",
    "fc": "fully connected",
    "dense": "fully connected",
    "w": "weights",
    "nlp": "natural language processing",
    "cv": "computer vision",
    "ae": "autoencoder",
    "vae": "variational autoencoder",
    "attn": "attention",
    "seq2seq": "sequence to sequence",
    "e.g.": "",
    "i.e.": "",
    "approx": "approximately",
    "eval": "evaluation",
    "infer": "inference",
}
_LATEX_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_LATEX_CMD = re.compile(r"\\([a-zA-Z]+)")
_LATEX_SPACING = re.compile(r"\\(left|right|cdot|times|,|;|!|quad)")
_SPELLING = re.compile(r"(?<=[a-z])is(ation|ations|e|ed|es|ing|er|ers)\b")
_OPERAND = r"(?:\d+(?:\.\d+)?|[a-z](?![a-z])|\))"
# Spoken operators only between operands, so "over time" stays words.
_SPOKEN_OPS = [
    (
        words.split()[0],
        re.compile(rf"({_OPERAND})\s*\b{words}\b\s*(?=\(|\d|[a-z](?![a-z])|sqrt)"),
        rf"\1{symbol}",
    )
    for words, symbol in (
        ("divided by", "/"),
        ("over", "/"),
        ("minus", "-"),
        ("plus", "+"),
        ("times", "*"),
        ("squared", "^2"),
        ("square root of", "sqrt"),
    )
]
_SPOKEN_WORDS = re.compile(r"\b(divided|over|minus|plus|times|squared|square)\b")
_MATH_CHARS = set("/=^*+<>()")
_CONTRACTION = re.compile(r"n't\b")
_EDGE = ".,;:!?()"
# One pass over the text for number words and abbreviations: a whole whitespace-separated
# piece that is a number word, or an abbreviation with only punctuation around it.
_DICTIONARY_WORD = re.compile(
    r"(?<!\S)(?:(?P<number>"
    + "|".join(map(re.escape, sorted(NUMBER_WORDS, key=len, reverse=True)))
    + r")|[.,;:!?()]*(?P<short>"
    + "|".join(map(re.escape, sorted(SYNONYMS, key=len, reverse=True)))
    + r")[.,;:!?()]*)(?!\S)"
)


# What a piece _DICTIONARY_WORD replaces is, stripped of the punctuation around it: a
# text with no such piece needs no pass of that pattern.
_DICTIONARY_CORES = frozenset(word.strip(_EDGE) for word in (*NUMBER_WORDS, *SYNONYMS))
# Each spoken operator contains one of these: a text with none needs no spoken-maths pass.
_SPOKEN_STEMS = ("divided", "over", "minus", "plus", "times", "square")


def _dictionary_word(match: re.Match[str]) -> str:
    number = match.group("number")
    return NUMBER_WORDS[number] if number is not None else SYNONYMS[match.group("short")]


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Lower-case NFKC text with LaTeX, spoken maths, spelling and abbreviations folded."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("−", "-").replace("×", "*").replace("·", "*").replace("’", "'")
    text = text.replace("√", "sqrt").replace("σ", "sigma").replace("≈", "~")
    if "\\" in text:  # LaTeX; most answers have none, and each pass costs
        for _ in range(4):
            text, count = _LATEX_FRAC.subn(r"(\1)/(\2)", text)
            if not count:
                break
        text = _LATEX_SPACING.sub(lambda m: "*" if m.group(1) in ("cdot", "times") else "", text)
        text = _LATEX_CMD.sub(r"\1", text)
    text = text.replace("$", " ").replace("{", "(").replace("}", ")")
    if "n't" in text:
        text = _CONTRACTION.sub(" not", text)
    # Each pattern below costs more than a look for the letters it needs, and most answers
    # have none of them.
    if "isa" in text or "ise" in text or "isi" in text:
        text = _SPELLING.sub(r"iz\1", text)
    if not _DICTIONARY_CORES.isdisjoint(map(str.strip, text.split(), repeat(_EDGE))):
        text = _DICTIONARY_WORD.sub(_dictionary_word, text)
    if any(stem in text for stem in _SPOKEN_STEMS):
        said = set(_SPOKEN_WORDS.findall(text))  # run only the patterns needed
        for first, pattern, replacement in _SPOKEN_OPS:
            if first in said:
                text = pattern.sub(replacement, text)
    return text


_GROUPING = "(){}[]$\\"


def compact(text: str) -> str:
    """Maths form: no spaces or grouping, so `1/(1 - p)` and `1/1-p` compare equal."""
    text = "".join(text.split())  # str.split's whitespace is the re module's \s
    for mark in _GROUPING:
        if mark in text:
            text = text.replace(mark, "")
    return text


def is_math(keyword: str) -> bool:
    """A keyword that is a formula rather than words."""
    return bool(_MATH_CHARS.intersection(keyword)) and len(compact(keyword)) >= 2


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def words(text: str) -> list[str]:
    """Stemmed word tokens of already folded text (stopwords kept; callers filter)."""
    return [stem(w) for w in WORD.findall(text)]


@lru_cache(maxsize=16384)
def content_words(text: str) -> frozenset[str]:
    """Stemmed tokens without stopwords or negations."""
    return frozenset(
        stem(w) for w in WORD.findall(text) if w not in STOPWORDS and w not in NEGATIONS
    )
