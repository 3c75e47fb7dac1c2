"""A chart with the table behind it and a CSV download: every chart can be read without colour."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st


def chart_with_table(figure: go.Figure, table: pd.DataFrame, key: str, file_name: str) -> None:
    st.plotly_chart(figure, key=f"{key}-chart", config={"displaylogo": False})
    with st.expander("Table behind this chart"):
        st.dataframe(table, hide_index=True, key=f"{key}-table")
        st.download_button(
            "Download CSV",
            table.to_csv(index=False).encode("utf-8"),
            file_name=file_name,
            mime="text/csv",
            key=f"{key}-csv",
        )
