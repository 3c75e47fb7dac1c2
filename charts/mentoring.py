"""A pair's meetings, a fellow's mentors by domain, and the outputs a fellow has logged."""

import pandas as pd
import plotly.graph_objects as go

from charts.style import BACKGROUND, INK, LAYOUT, PALETTE, escape_every_builder, slot_bar, slot_line, slot_marker


def meeting_frequency_chart(
    frequency: pd.DataFrame, agreed_per_month: float | None = None, title: str | None = None
) -> go.Figure:
    """Held meetings per month as bars (columns `period` and `held`), with the agreed rate as a line if given."""
    figure = go.Figure(
        go.Bar(
            x=frequency["period"],
            y=frequency["held"],
            name="Meetings held",
            marker_color=PALETTE[0],
            hovertemplate="%{x}: %{y} held<extra></extra>",
        )
    )
    if agreed_per_month is not None and not frequency.empty:
        figure.add_trace(
            go.Scatter(
                x=frequency["period"],
                y=[round(agreed_per_month, 2)] * len(frequency),
                name="Agreed rate",
                mode="lines",
                line=dict(color=INK, width=2, dash="dash"),
                hovertemplate="agreed: about %{y} a month<extra></extra>",
            )
        )
    figure.update_layout(
        title=title or "Meetings held per month",
        xaxis=dict(type="category", title=None),
        yaxis=dict(title="Meetings", rangemode="tozero", dtick=1),
        height=340,
        **LAYOUT,
    )
    return figure


def cumulative_outputs_chart(cumulative: pd.DataFrame, title: str = "My outputs over time") -> go.Figure:
    """One step line per kind of output (columns month, kind, cumulative): how the record grows."""
    figure = go.Figure()
    for index, (kind, rows) in enumerate(cumulative.groupby("kind", sort=False)):
        rows = rows.sort_values("month")
        figure.add_trace(
            go.Scatter(
                x=pd.to_datetime(rows["month"]),
                y=rows["cumulative"],
                name=str(kind),
                mode="lines+markers",
                line=slot_line(index) | dict(shape="hv"),
                marker=slot_marker(index, size=8),
                hovertemplate="%{x|%b %Y}: %{y} in all<extra>" + str(kind) + "</extra>",
            )
        )
    if cumulative.empty:
        figure.add_annotation(text="No outputs logged yet", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_layout(
        title=title,
        xaxis=dict(title=None, tickformat="%b %Y"),
        yaxis=dict(title="Outputs so far", rangemode="tozero", tick0=0, dtick=1 if cumulative.empty else None),
        height=400,
        **LAYOUT,
    )
    return figure


def network_chart(network: pd.DataFrame, missing: list[str], labels: dict[str, str] | None = None) -> go.Figure:
    """Mentors per domain (columns domain_id, mentor, source), stacked by where they come from; a domain
    with no mentor gets a clear 'No mentor' marker. `labels` maps domain ids to names (default: the guidance's)."""
    if labels is None:
        from analytics.pairs import domain_labels  # the guidance's domains, read from data/domains.toml

        labels = domain_labels()
    order = list(labels)
    names = [labels[domain] for domain in order]
    figure = go.Figure()
    for index, (source, rows) in enumerate(network.groupby("source", sort=True)):
        counts = rows.groupby("domain_id")["mentor"].agg(list)
        figure.add_trace(
            go.Bar(
                x=names,
                y=[len(counts.get(domain, [])) for domain in order],
                text=["<br>".join(str(m) for m in counts.get(domain, [])) for domain in order],
                textposition="inside",
                textfont=dict(color=BACKGROUND),
                name=str(source).capitalize(),
                marker=slot_bar(index) | dict(line=dict(color=INK, width=0.5)),
                hovertemplate="%{x}: %{y} mentor(s)<br>%{text}<extra>" + str(source) + "</extra>",
            )
        )
    gaps = [labels[domain] for domain in order if domain in missing]
    if gaps:
        figure.add_trace(
            go.Scatter(
                x=gaps,
                y=[0] * len(gaps),
                mode="markers+text",
                name="No mentor",
                text=["No mentor"] * len(gaps),
                textposition="top center",
                textfont=dict(size=14, color=INK),
                marker=dict(symbol="x-thin-open", size=22, line=dict(width=4, color=PALETTE[len(PALETTE) - 1])),
                hovertemplate="%{x}: no mentor<extra></extra>",
            )
        )
    most = max([0] + [int(n) for n in network.groupby("domain_id").size()]) if not network.empty else 0
    figure.update_layout(
        title="My mentors by domain",
        barmode="stack",
        xaxis=dict(title=None, categoryorder="array", categoryarray=names),
        yaxis=dict(title="Mentors", range=[-0.3, max(most, 1) + 0.8], dtick=1),
        height=380,
        **LAYOUT,
    )
    return figure


escape_every_builder(globals())
