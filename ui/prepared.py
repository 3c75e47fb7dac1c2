"""Files built on request: a "Prepare" button, then the download of what it built.

A calendar, a person's whole data or the director's reminder list takes tens of milliseconds to a
second to build, so a page does not build it on every rerun: the "Prepare" button builds it once, and
its download button (on_click="ignore": downloading does not rerun the page) offers those bytes.
"""

from collections.abc import Callable

import streamlit as st


def prepared_download(
    prepare_label: str, download_label: str, build: Callable[[], bytes], file_name: str, mime: str, key: str
) -> None:
    """A button that builds the file; after it, the button that downloads it."""
    if st.button(prepare_label, key=f"{key}-prepare"):
        with st.spinner("Preparing..."):
            data = build()
        st.download_button(
            download_label, data, file_name=file_name, mime=mime, key=f"{key}-download", on_click="ignore", type="primary"
        )
