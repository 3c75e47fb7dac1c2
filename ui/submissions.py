"""Submission keys for forms: the same form submitted again with the same content (a double click, or a
click while the first run is still storing) carries the same key, so analytics stores it once."""

import uuid

import streamlit as st

KEYS = "form_submission_keys"


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
