"""The guidance text, and the check that a quoted sentence really comes from it."""

import re
import tomllib
from functools import cache
from pathlib import Path

from analytics.paths import GUIDANCE_DIR

_CURLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
# A footnote marker is a number glued to the end of a word or sentence: "success.1", "development.2".
_FOOTNOTE = re.compile(r"(?<=[A-Za-z.,;:)])\d+(?=\s|$)")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
MIN_QUOTE_WORDS = 5
# Words a paraphrase may drop or change without changing what it names.
_FUNCTION_WORDS = frozenset(
    "a an the and or nor but of in on to for with by at from as about into than "
    "their his her its our your my they them he she it we you i s "
    "is are be been being was were do does did has have had will would can could should may might "
    "when that this these those which who whom".split()
)
# Endings of one word's simple forms (plan, plans, planned, planning), longest first.
_ENDINGS = ("ingly", "edly", "ying", "ies", "ied", "ing", "es", "ed", "ly", "s", "e", "y")


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces: punctuation, quotes and footnotes do not count."""
    text = _FOOTNOTE.sub("", text.translate(_CURLY))
    return " " + _NOT_WORD.sub(" ", text.lower()).strip() + " "


@cache
def source() -> dict:
    """Title, publisher and address of the guidance (data/guidance/SOURCE.toml)."""
    with open(GUIDANCE_DIR / "SOURCE.toml", "rb") as handle:
        return tomllib.load(handle)


@cache
def guidance_text(path: Path | None = None) -> str:
    return (path or GUIDANCE_DIR / source()["file"]).read_text(encoding="utf-8")


def quote_in_guidance(quote: str, text: str | None = None) -> bool:
    """True when the quote's words appear, in order and contiguous, in the guidance."""
    words = normalise(quote)
    return words.strip() != "" and words in normalise(text if text is not None else guidance_text())


def _stem(word: str) -> str:
    """The word without one simple English ending, and without a doubled last letter (planned, setting)."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]
    return word


def missing_words(quote: str, measures: str) -> list[str]:
    """The words of `measures` (what an item measures) the quote does not hold, in any simple form of each.

    "to", "the", "their" and other function words do not count. "Unearned" is found as "not ... earned".
    """
    quoted = normalise(quote).split()
    stems = {_stem(word) for word in quoted}
    missing = []
    for word in dict.fromkeys(normalise(measures).split()):
        if word in _FUNCTION_WORDS or word in quoted or _stem(word) in stems:
            continue
        if word.startswith("un") and "not" in quoted and _stem(word[2:]) in stems:
            continue
        missing.append(word)
    return missing


def quote_problem(quote: str, measures: str) -> str | None:
    """Why a quote from the guidance does not support an item, or None when it does.

    Being in the guidance is not enough: "the" is. A quote is a whole phrase (at least
    MIN_QUOTE_WORDS words, counted as `normalise` splits them) that says what the item measures.
    """
    count = len(normalise(quote).split())
    if count < MIN_QUOTE_WORDS:
        return (
            f"has {count} word{'s' if count != 1 else ''}; quote a whole phrase of the guidance, "
            f"at least {MIN_QUOTE_WORDS} words, that says what the item measures"
        )
    missing = missing_words(quote, measures)
    if missing:
        listed = ", ".join(f"'{word}'" for word in missing)
        verb = "is" if len(missing) == 1 else "are"
        return f"does not hold what the item measures ('{measures[:80]}'): {listed} {verb} missing"
    return None
