"""What a form carries across submits: a submission key, so a double submit is stored once, and a round,
so a form empties after a successful add.

The same form submitted again with the same content (a double click, or a click while the first run is
still storing) carries the same key, so analytics stores it once.
"""

import uuid

import streamlit as st

KEYS = "form_submission_keys"
ROUNDS = "form_rounds"


def submission_key(form: str, *content: object) -> str:
    """The key for this form and what it holds: kept while the content stays the same, new once it changes.

    It is set before the write, so a second click that interrupts a run which already stored the
    record finds the same key.
    """
    keys = st.session_state.setdefault(KEYS, {})
    fingerprint = repr(content)
    saved = keys.get(form)
    if saved is None or saved[1] != fingerprint:
        saved = keys[form] = (uuid.uuid4().hex, fingerprint)
    return saved[0]


def forget_submission(form: str) -> None:
    """The next submit of `form` is a new record (a correction) even with the same content."""
    st.session_state.get(KEYS, {}).pop(form, None)


def form_key(form: str) -> str:
    """`form`'s key this round, for the form and the keys of its widgets: new after `empty_form`.

    A new key is a new widget, which starts empty; the only way to empty a file uploader.
    """
    return f"{form}-{st.session_state.get(ROUNDS, {}).get(form, 0)}"


def empty_form(form: str) -> None:
    """After a successful add: from the next run on, `form_key(form)` is new, so the form starts empty."""
    rounds = st.session_state.setdefault(ROUNDS, {})
    rounds[form] = rounds.get(form, 0) + 1
