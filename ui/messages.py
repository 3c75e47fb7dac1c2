"""A confirmation that outlives the rerun after a change: the page reruns so its tables are fresh,
and the message shows once on that next run. Callers pass Markdown already made safe (ui.text.as_text)."""

import streamlit as st

DONE_KEY = "done_message"


def show_done_message() -> None:
    message = st.session_state.pop(DONE_KEY, None)
    if message:
        st.success(message)


def done(message: str) -> None:
    st.session_state[DONE_KEY] = message
    st.rerun()
