"""Checks of what people type, in one place: hidden characters, text and its length, whole numbers,
numbers, dates and emails. Each refusal is an InputError with a sentence fit to show.

Characters a person cannot see have one definition here. A name or an email is shown to other
people and compared by eye, so it refuses every character that is not visible text: control
characters (Unicode Cc: NUL, escape, tab, line breaks), format characters (Cf: zero-width space and
joiner, right-to-left override and isolates, byte order mark, soft hyphen), line and paragraph
separators (Zl, Zp) and lone surrogates (Cs). A right-to-left override can make "Ann Lee" show as
another name, and a zero-width space makes two emails that look alike differ. Free text (comments,
notes, titles) keeps tabs and line breaks and may hold format characters, since emoji sequences (a
zero-width joiner) and some scripts need them.
"""

import math
import numbers
import unicodedata
from datetime import date, datetime
from typing import TypeGuard

from analytics.errors import InputError

MAX_NAME = 200  # a person's, a program's or a mentor's name
MAX_EMAIL = 254
EARLIEST = date(1950, 1, 1)  # an earlier date is a typing mistake
_HIDDEN_IN_NAMES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_HIDDEN_IN_FREE_TEXT = frozenset({"Cc", "Cs"})
_FREE_TEXT_KEEPS = frozenset("\t\n\r")
HIDDEN_SENTENCE = (
    "{what} contains control characters or invisible characters (such as a line break, a tab, a zero-width space "
    "or a right-to-left mark); remove them and try again."
)


# ---------------------------------------------------------------- text


def has_hidden(text: str) -> bool:
    """True when a name or an email holds a character that is not visible text (see the module)."""
    return any(unicodedata.category(ch) in _HIDDEN_IN_NAMES for ch in text)


def has_control(text: str) -> bool:
    """True when free text holds a control character other than a tab or a line break."""
    return any(unicodedata.category(ch) in _HIDDEN_IN_FREE_TEXT and ch not in _FREE_TEXT_KEEPS for ch in text)


def hidden_message(what: str) -> str:
    """The one sentence that refuses a hidden character; it never quotes the text (which would carry it along)."""
    return HIDDEN_SENTENCE.format(what=what)


def shown(value: object, limit: int = 60) -> str:
    """Something a person typed, fit to quote in a message: every hidden character shown as \ufffd, not too long."""
    text = "".join("\ufffd" if unicodedata.category(ch) in _HIDDEN_IN_NAMES else ch for ch in str(value))
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def clean_text(value: str | None, what: str, limit: int, *, name: bool = False) -> str | None:
    """Optional free text: trimmed, no control characters, not too long. Empty means none.

    A `name` (of a person, a program, a cohort) is shown to others and compared by eye, so it also
    refuses line breaks, tabs and invisible formatting characters.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{what} must be text.")
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise InputError(f"{what} is {len(value):,} characters long; keep it to {limit:,} or fewer.")
    if has_hidden(value) if name else has_control(value):
        raise InputError(hidden_message(what) if name else f"{what} contains control characters; remove them and submit again.")
    return value


def required_text(
    value: str | None, what: str, limit: int, *, missing: str | None = None, shortest: int = 1, name: bool = False
) -> str:
    """Text that must be there: `clean_text`, then `missing` (by default "<what> is empty; write
    something.") when nothing is left, and a refusal when it is shorter than `shortest` characters."""
    text = clean_text(value, what, limit, name=name)
    if text is None:
        raise InputError(missing or f"{what} is empty; write something.")
    if len(text) < shortest:
        raise InputError(f"{what} is too short; give at least {shortest} characters.")
    return text


def unusable_email(email: str) -> bool:
    """True for a (normalised) email no account can have: empty, too long, or holding a space or a hidden character."""
    return not email or len(email) > MAX_EMAIL or has_hidden(email) or any(ch.isspace() for ch in email)


# ---------------------------------------------------------------- numbers


def whole_number(value: object) -> int | None:
    """An integer as an int (DataFrames hand out numpy integers), or None for anything else (text, floats, booleans)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return None


def is_number(value: object) -> TypeGuard[float]:
    """A finite real number (an int, a float, a numpy number); a boolean is not one."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


# ---------------------------------------------------------------- dates


def as_date(value: object, refusal: str, *, iso_text: bool = False) -> date:
    """A date (a datetime gives its day; with `iso_text`, text in YYYY-MM-DD too), or InputError(refusal)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if iso_text and isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(refusal)


def not_before_earliest(day: date, what: str) -> date:
    """`day`, or a refusal naming `what` when it lies before EARLIEST (a typing mistake)."""
    if day < EARLIEST:
        raise InputError(f"{what} {day:%Y-%m-%d} is before {EARLIEST:%Y}; check it.")
    return day


def years_after(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
