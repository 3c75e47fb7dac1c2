"""Every table the app shows, with the app's own CSV download beside it.

Streamlit's toolbar download and clipboard copy are turned off (client.disableDataExport in
.streamlit/config.toml): they write names and notes into a spreadsheet as typed, so a name such as
`=HYPERLINK(...)` would run there. The download here goes through analytics.exports, which makes it inert.

A missing value (None, NaN, NaT) is a blank cell: Streamlit 1.67 writes the word "None" there unless
st.dataframe gets a `placeholder`. Where missing means "has not happened yet" (a last meeting, a
rating not given yet) the column says "not yet" instead. The CSV keeps every missing value blank.
"""

import numbers
from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd
import streamlit as st

from analytics.exports import to_csv

NOT_YET = "not yet"
# A longer table (a large program's people or pairs) is sent a window of this many rows at a time,
# chosen beside it; its CSV holds every row.
WINDOW_ROWS = 500


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


def _in_words(value: object, number_format: str | None) -> str:
    """A present value of a "not yet" column as text: dates as 2026-11-26 (so the column still sorts by date)."""
    if isinstance(value, pd.Timestamp | date):
        return f"{value:%Y-%m-%d}"
    if number_format and number_format.startswith("%") and isinstance(value, numbers.Real):
        return number_format % value  # the printf-style formats st.column_config.NumberColumn takes
    return str(value)


def _with_not_yet(frame: pd.DataFrame, not_yet: Iterable[str], column_config: Mapping | None) -> tuple[pd.DataFrame, dict | None]:
    """`frame` with each `not_yet` column as text, "not yet" where a value is missing, and the column
    configuration to match (the same label and help, as a text column)."""
    columns = [column for column in not_yet if column in frame.columns]
    if not columns:
        return frame, dict(column_config) if column_config is not None else None
    frame, config = frame.copy(), dict(column_config or {})
    for column in columns:
        setting = config.get(column)
        setting = {"label": setting} if isinstance(setting, str) else dict(setting or {})
        typed = setting.get("type_config") or {}
        is_number = typed.get("type") == "number" or pd.api.types.is_numeric_dtype(frame[column])
        frame[column] = [NOT_YET if pd.isna(value) else _in_words(value, typed.get("format")) for value in frame[column]]
        config[column] = st.column_config.TextColumn(
            setting.get("label") or column,
            help=setting.get("help"),
            alignment="right" if is_number else None,  # numbers stay on the right, as in a number column
        )
    return frame, config


def show_table(
    frame: pd.DataFrame,
    key: str,
    file_name: str,
    *,
    column_order: Iterable[str] | None = None,
    column_config: Mapping | None = None,
    not_yet: Iterable[str] = (),
    **dataframe_options,
) -> None:
    """st.dataframe (index hidden) and a "Download CSV" button of what it shows, every cell inert (the
    file is made when the button is clicked).

    A missing value shows as a blank, or as "not yet" in the columns `not_yet` names; blank in the CSV.
    Over WINDOW_ROWS rows, one window of them is shown at a time (the CSV still holds every row).
    """
    column_order = list(column_order) if column_order is not None else None
    shown, config = _with_not_yet(_window(frame, key), not_yet, column_config)
    st.dataframe(
        shown, hide_index=True, key=key, column_order=column_order, column_config=config, placeholder="", **dataframe_options
    )
    # Built when the button is clicked, not on every rerun: a large program's tables take tens of ms each.
    st.download_button(
        "Download CSV",
        lambda: to_csv(as_shown(frame, column_order, column_config)),
        file_name=file_name,
        mime="text/csv",
        key=f"{key}-csv",
    )


def _window(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows of `frame` to send: all of a short table; of a long one, the window chosen beside it."""
    total = len(frame)
    if total <= WINDOW_ROWS:
        return frame
    starts = range(0, total, WINDOW_ROWS)
    start = st.selectbox(
        "Rows shown",
        starts,
        format_func=lambda first: f"{first + 1:,}-{min(first + WINDOW_ROWS, total):,} of {total:,}",
        key=f"{key}-window",
        help="A long table is shown a part at a time; the CSV download holds every row.",
    )
    start = start if start in starts else 0
    return frame.iloc[start : start + WINDOW_ROWS]
