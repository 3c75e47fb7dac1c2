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
