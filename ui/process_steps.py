"""A pair's process steps over time, both sides step by step: on Two views and on the mentor's view of a mentee.

The latest gap alone cannot show "our mentoring is slipping"; each step's two lines over the periods can.
"""

import pandas as pd
import streamlit as st

from analytics.instruments import Instrument
from charts.ratings import views_per_item_over_time
from charts.style import Palette
from ui.charts import cached_figure, chart_with_table
from ui.text import as_text


def steps_by_period(process: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """One row per period and step, each side's rating in its own column (analytics.feedback.process_views in)."""
    order = {item.id: position for position, item in enumerate(instrument.items)}
    table = process.pivot_table(index=["period_start", "period", "item_id", "quality"], columns="view", values="rating")
    table = table.reset_index().rename_axis(columns=None)
    table = table.assign(position=table["item_id"].map(order)).sort_values(["period_start", "position"])
    return table.drop(columns=["period_start", "item_id", "position"]).rename(columns={"quality": "step"})


def steps_over_time(
    process: pd.DataFrame,
    instrument: Instrument,
    key: str,
    file_name: str,
    palette: Palette | None = None,
    by_period: pd.DataFrame | None = None,
) -> None:
    """Each step in its own panel, one line per side, with the table behind it (`by_period`, if worked out
    already: steps_by_period); each side in its colour of the page's `palette`."""
    slots = (palette or Palette()).slots(process["view"].unique())
    scale = ", ".join(f"{point.value} {as_text(point.label)}" for point in instrument.scale)
    st.caption(f"Each panel is one step, each line one side of the pair, period by period ({scale}).")
    chart_with_table(
        cached_figure(views_per_item_over_time, process, instrument, "Each step over time, as each of you sees it", slots=slots),
        steps_by_period(process, instrument) if by_period is None else by_period,
        key=key,
        file_name=file_name,
    )
