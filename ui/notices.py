"""What a person is told after they act: a confirmation that outlives the rerun, and a refusal shown in place.

After a change the page reruns, so its tables already include it; the confirmation waits in the
session and `ui.viewer.require_viewer` shows it once at the top of that next run, so no page can
forget to. A refusal (analytics' InputError or AccessDenied) is shown where the form is, and what
was typed stays for correcting.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import streamlit as st

from analytics.errors import AccessDenied, InputError
from ui.focus import focused
from ui.text import as_text

NOTICE_KEY = "notice"
REFUSALS = (InputError, AccessDenied)  # analytics' sentences for a person: what cannot be stored, what they may not do


def confirm(message: str) -> NoReturn:
    """Rerun the page and show `message` once on that run, exactly as written.

    `message` is plain text, often quoting what was typed (a name, a title, a unit), so it is escaped
    here and never by a caller: a name like `[x](http://...)` is shown, not made a link.
    """
    st.session_state[NOTICE_KEY] = as_text(message)
    st.rerun()


def show_notice() -> bool:
    """Show the waiting confirmation, if any, with the keyboard focus on it; True if there was one."""
    message = st.session_state.pop(NOTICE_KEY, None)
    if not message:
        return False
    with focused():
        st.success(message)
    return True


@contextmanager
def refusals(*, then: Callable[[], object] | None = None, shown_as: Callable[[Exception], str] = as_text) -> Iterator[None]:
    """Show an expected refusal with st.error and go on after the block; anything else passes through,
    st.rerun() and st.stop() included (Streamlit's own exceptions).

    `then` runs first, for what a refusal must undo besides (a progress bar to empty); `shown_as` makes
    the Markdown, as_text by default because a refusal may quote what was typed.
    """
    try:
        yield
    except REFUSALS as error:
        if then is not None:
            then()
        with focused():  # the person hears why first, where the form is
            st.error(shown_as(error))
