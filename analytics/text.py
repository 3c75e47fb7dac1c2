"""The one definition of characters a person cannot see, used by every text check of the app.

A name or an email is shown to other people and compared by eye, so it refuses every character
that is not visible text: control characters (Unicode Cc: NUL, escape, tab, line breaks), format
characters (Cf: zero-width space and joiner, right-to-left override and isolates, byte order mark,
soft hyphen), line and paragraph separators (Zl, Zp) and lone surrogates (Cs). A right-to-left
override can make "Ann Lee" show as another name, and a zero-width space makes two emails that look
alike differ. Free text (comments, notes, titles) keeps tabs and line breaks and may hold format
characters, since emoji sequences (a zero-width joiner) and some scripts need them.
"""

import unicodedata

_HIDDEN_IN_NAMES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_HIDDEN_IN_FREE_TEXT = frozenset({"Cc", "Cs"})
_FREE_TEXT_KEEPS = frozenset("\t\n\r")
HIDDEN_SENTENCE = (
    "{what} contains control characters or invisible characters (such as a line break, a tab, a zero-width space "
    "or a right-to-left mark); remove them and try again."
)


def has_hidden(text: str) -> bool:
    """True when a name or an email holds a character that is not visible text (see the module)."""
    return any(unicodedata.category(ch) in _HIDDEN_IN_NAMES for ch in text)


def has_control(text: str) -> bool:
    """True when free text holds a control character other than a tab or a line break."""
    return any(unicodedata.category(ch) in _HIDDEN_IN_FREE_TEXT and ch not in _FREE_TEXT_KEEPS for ch in text)


def hidden_message(what: str) -> str:
    """The one sentence that refuses a hidden character; it never quotes the text (which would carry it along)."""
    return HIDDEN_SENTENCE.format(what=what)


def visible(text: object, limit: int = 60) -> str:
    """Something a person typed, fit to quote in a message: every hidden character shown as \ufffd, not too long."""
    shown = "".join("\ufffd" if unicodedata.category(ch) in _HIDDEN_IN_NAMES else ch for ch in str(text))
    return shown if len(shown) <= limit else shown[: limit - 1] + "\u2026"
