"""Links between pages."""

import contextlib

import streamlit as st
from streamlit.errors import StreamlitAPIException


def page_link(page: str, label: str, icon: str | None = None) -> None:
    """A link to another page; left out when this page runs outside st.navigation (a direct run has no page list)."""
    with contextlib.suppress(StreamlitAPIException):
        st.page_link(page, label=label, icon=icon)
