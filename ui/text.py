"""Showing what a person typed exactly as typed."""

import re

_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def as_text(text: object) -> str:
    """Markdown that shows `text` exactly as typed: every ASCII punctuation mark is escaped, so a
    comment's `*stars*`, `[links](x)` or `<b>tags</b>` are shown, never applied."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text))
