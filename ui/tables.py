"""Every table the app shows, with the app's own CSV download beside it.

Streamlit's toolbar download and clipboard copy are turned off (client.disableDataExport in
.streamlit/config.toml): they write names and notes into a spreadsheet as typed, so a name such as
`=HYPERLINK(...)` would run there. The download here goes through analytics.exports, which makes it inert.
"""

from collections.abc import Iterable, Mapping

import pandas as pd
import streamlit as st

from analytics.exports import to_csv


def as_shown(
    frame: pd.DataFrame, column_order: Iterable[str] | None = None, column_config: Mapping | None = None
) -> pd.DataFrame:
    """The columns a person sees, in their order and under their labels: a hidden column is not downloaded either."""
    config = dict(column_config or {})
    columns = [c for c in (column_order if column_order is not None else frame.columns) if c in frame.columns]
    columns = [c for c in columns if not (c in config and config[c] is None)]  # None hides a column
    labels = {}
    for column in columns:
        setting = config.get(column)
        label = setting if isinstance(setting, str) else (setting or {}).get("label")
        if label:
            labels[column] = label
    return frame[columns].rename(columns=labels)


def show_table(
    frame: pd.DataFrame,
    key: str,
    file_name: str,
    *,
    column_order: Iterable[str] | None = None,
    column_config: Mapping | None = None,
    **dataframe_options,
) -> None:
    """st.dataframe (index hidden) and a "Download CSV" button of what it shows, every cell inert."""
    column_order = list(column_order) if column_order is not None else None
    st.dataframe(frame, hide_index=True, key=key, column_order=column_order, column_config=column_config, **dataframe_options)
    st.download_button(
        "Download CSV",
        to_csv(as_shown(frame, column_order, column_config)),
        file_name=file_name,
        mime="text/csv",
        key=f"{key}-csv",
    )
