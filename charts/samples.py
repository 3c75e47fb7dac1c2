"""A figure with every kind of trace and layout part the app's charts use, from made-up numbers.

Built once when the server starts (ui/warmup.py): plotly imports each trace type's classes and
validators the first time a figure uses them, which made the first chart after a start cost a
second or more on a busy 2-core machine (benchmarks/browser_visits.py).
"""

import plotly.graph_objects as go


def sample_figure_json() -> str:
    """Lines with markers, horizontal and stacked bars, a heatmap, annotations and shapes, as the charts draw
    them, built and written as JSON (as st.plotly_chart sends a figure). No person's text is in it."""
    figure = go.Figure(
        [
            go.Scatter(
                x=["a", "b"],
                y=[1, 2],
                mode="lines+markers",
                name="line",
                marker=dict(symbol="circle", size=8, color="#000000"),
                line=dict(dash="dot", width=2),
                hovertemplate="%{y}<extra></extra>",
            ),
            go.Bar(x=[1], y=["a"], orientation="h", name="bar", text=["1"], textposition="inside", marker_color="#000000"),
            go.Bar(x=["a"], y=[1], name="stacked", marker=dict(pattern=dict(shape="/"))),
            go.Heatmap(z=[[1, None]], x=["a", "b"], y=["c"], colorscale="Cividis", zmin=1, zmax=5, texttemplate="%{z}"),
        ]
    )
    figure.update_layout(
        template="plotly_white",
        title="sample",
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", y=-0.2),
        barmode="stack",
        height=300,
        xaxis=dict(range=[0, 5], tickvals=[1], ticktext=["one"], title=None, type="category"),
        yaxis=dict(autorange="reversed", automargin=True),
    )
    figure.add_annotation(text="note", x="a", y=1, showarrow=False)
    figure.add_shape(type="line", x0=0, x1=1, y0=0, y1=1, line=dict(dash="dash"))
    figure.add_hline(y=1)
    return figure.to_json()
