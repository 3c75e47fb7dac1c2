"""A chart with the table behind it and a CSV download: every chart can be read without colour."""

import hashlib
import sys
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import streamlit as st

from charts import Figure
from charts.style import drawn, finish
from ui.tables import show_table


def _frame_digest(frame: pd.DataFrame) -> bytes:
    """A DataFrame's key: the digest of its columns, types, index and every value as Python writes it
    (repr, whole: numpy abbreviates long arrays otherwise). About 10x faster than Streamlit's own hashing
    of a frame, which every rerun paid for every figure. Not a pickle: equal frames pickle differently
    (a filtered Arrow string column keeps its buffers), and the warm-up's figures would not be found."""
    digest = hashlib.blake2b()
    with np.printoptions(threshold=sys.maxsize):
        digest.update(repr((list(frame.columns), [str(kind) for kind in frame.dtypes], frame.index.tolist())).encode())
        for position in range(frame.shape[1]):
            digest.update(repr(frame.iloc[:, position].tolist()).encode())
    return digest.digest()


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False, hash_funcs={pd.DataFrame: _frame_digest})
def _figure(_build: Callable[..., Figure], build_name: str, args: tuple, kwargs: dict) -> Figure:
    return drawn(finish(_build(*args, **kwargs)))


def cached_figure(build: Callable[..., Figure], *args, **kwargs) -> Figure:
    """`build(*args, **kwargs)`, made once per distinct input and reused by every rerun and session.

    Building a plotly figure validates every property, which costs more than a page's cached reads;
    keyed by the inputs' content (DataFrames included), so a figure always shows the data it is
    given. st.cache_resource, not st.cache_data: an unpickled figure is validated again. Figures
    are shared, so nothing may change one after it is built (st.plotly_chart only reads it).
    """
    return _figure(build, f"{build.__module__}.{build.__qualname__}", args, kwargs)


def chart_with_table(figure: Figure, table: pd.DataFrame, key: str, file_name: str, column_config: Mapping | None = None) -> None:
    # The toolbar holds one button (download as PNG), so it stays small above the title, even on a phone.
    st.plotly_chart(figure, key=f"{key}-chart", config={"displaylogo": False, "modeBarButtons": [["toImage"]]})
    with st.expander("Table behind this chart"):
        show_table(table, key=f"{key}-table", file_name=file_name, column_config=column_config)
