"""Every chart of the app: plotly builders, DataFrame in, Figure out; never Streamlit, so tests need no browser.

Built with plotly.graph_objects: plotly express costs about 17 ms a figure, which a dashboard
would pay on every rerun (STYLE.md). `style` holds the look and the escaping every builder gets.
"""

from plotly.graph_objects import Figure

__all__ = ["Figure"]
