"""Figure builders: DataFrame in, plotly Figure out, checked without a browser."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.assessments import latest_snapshot, rating_history
from analytics.instruments import load_catalogue
from analytics.people import load_viewer
from charts import Figure
from charts.program import likert_bars
from charts.ratings import (
    first_vs_latest,
    gap_bars,
    ratings_heatmap,
    ratings_over_time,
    views_over_time,
    views_per_item_over_time,
)
from charts.style import PALETTE


@pytest.fixture(scope="module")
def mentee_self():
    return load_catalogue().get("mentee-self")


def _history(rows) -> pd.DataFrame:
    """rows: (instrument_id, item_id, quality, period start 'YYYY-MM-DD', rating)."""
    frame = pd.DataFrame(rows, columns=["instrument_id", "item_id", "quality", "period_start", "rating"])
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period"] = [f"{d.year} Q{(d.month - 1) // 3 + 1}" for d in frame["period_start"]]
    frame["instrument"] = frame["instrument_id"]
    frame["instrument_version"] = 1
    frame["submitted_at"] = frame["period_start"]
    return frame


HISTORY = [
    # out of period order on purpose; one row of another instrument that must not be drawn
    ("mentee-self", "asks-questions", "Asks questions", "2026-07-01", 4),
    ("mentee-self", "asks-questions", "Asks questions", "2026-01-01", 2),
    ("mentee-self", "asks-questions", "Asks questions", "2026-04-01", 3),
    ("mentee-self", "willing-to-learn", "Willingness to learn", "2026-01-01", 5),
    ("mentee-self", "willing-to-learn", "Willingness to learn", "2026-04-01", 4),
    ("mentee-self", "willing-to-learn", "Willingness to learn", "2026-07-01", 1),
    ("mentor-self", "patient", "Patient", "2026-04-01", 2),
]


def _trace(figure: Figure, name: str):
    [trace] = [t for t in figure.data if t.name == name]
    return trace


def test_ratings_over_time_has_a_line_per_quality_and_the_average(mentee_self):
    figure = ratings_over_time(_history(HISTORY), mentee_self)
    assert isinstance(figure, Figure)
    assert sorted(t.name for t in figure.data) == ["Asks questions", "Average", "Willingness to learn"]
    asks = _trace(figure, "Asks questions")
    assert list(asks.x) == ["2026 Q1", "2026 Q2", "2026 Q3"]
    assert list(asks.y) == [2, 3, 4]
    learn = _trace(figure, "Willingness to learn")
    assert list(learn.x) == ["2026 Q1", "2026 Q2", "2026 Q3"]
    assert list(learn.y) == [5, 4, 1]
    average = _trace(figure, "Average")
    assert list(average.x) == ["2026 Q1", "2026 Q2", "2026 Q3"]
    assert list(average.y) == [3.5, 3.5, 2.5]
    assert figure.data[-1].name == "Average"  # drawn on top


def test_ratings_over_time_uses_the_scale_and_the_palette(mentee_self):
    figure = ratings_over_time(_history(HISTORY), mentee_self)
    assert list(figure.layout.yaxis.tickvals) == [1, 2, 3, 4, 5]
    assert figure.layout.yaxis.ticktext[0] == "1 Not yet"
    assert figure.layout.xaxis.type == "category"
    # Each quality keeps the slot of its place among the instrument's items, whichever others are drawn.
    places = {item: place for place, item in enumerate(mentee_self.row_order())}
    colours = {t.name: t.line.color for t in figure.data if t.name != "Average"}
    assert colours == {
        "Asks questions": PALETTE[places["asks-questions"]],
        "Willingness to learn": PALETTE[places["willing-to-learn"]],
    }
    alone = ratings_over_time(_history(HISTORY).query("item_id == 'willing-to-learn'"), mentee_self)
    assert alone.data[0].line.color == colours["Willingness to learn"]
    assert mentee_self.title in figure.layout.title.text


def test_the_average_can_cover_qualities_not_drawn(mentee_self):
    everything = _history(HISTORY)
    shown = everything[everything["item_id"] == "asks-questions"]
    figure = ratings_over_time(shown, mentee_self, average_of=everything)
    assert [t.name for t in figure.data] == ["Asks questions", "Average"]
    assert list(_trace(figure, "Average").y) == [3.5, 3.5, 2.5]  # both qualities, not just the one drawn
    alone = ratings_over_time(shown, mentee_self)
    assert list(_trace(alone, "Average").y) == [2, 3, 4]


def test_first_vs_latest_has_two_bar_traces(mentee_self):
    snapshot = latest_snapshot(_history(HISTORY))
    figure = first_vs_latest(snapshot, mentee_self)
    assert [t.type for t in figure.data] == ["bar", "bar"]
    first, latest = figure.data
    assert (first.name, latest.name) == ("First", "Latest")
    by_quality_first = dict(zip(first.y, first.x, strict=True))
    by_quality_latest = dict(zip(latest.y, latest.x, strict=True))
    assert by_quality_first == {"Asks questions": 2, "Willingness to learn": 5}
    assert by_quality_latest == {"Asks questions": 4, "Willingness to learn": 1}
    assert "Patient" not in by_quality_first  # another instrument's row


def test_an_empty_history_draws_an_empty_chart(mentee_self):
    empty = _history([])
    figure = ratings_over_time(empty, mentee_self)
    assert isinstance(figure, Figure)
    assert len(figure.data) == 0


def test_a_history_of_other_instruments_only_draws_nothing(mentee_self):
    figure = ratings_over_time(_history([HISTORY[-1]]), mentee_self)
    assert len(figure.data) == 0


def _empty_history_from_the_store(store, catalogue):
    director = store.query_one(
        "SELECT person_id FROM people JOIN person_roles USING (person_id) WHERE role = 'director' LIMIT 1"
    )[0]
    viewer = load_viewer(store, director)
    return rating_history(store, catalogue, viewer, director)


def test_an_empty_history_from_the_store_draws_over_time(demo_store, catalogue):
    history = _empty_history_from_the_store(demo_store, catalogue)
    assert history.empty
    figure = ratings_over_time(history, catalogue.get("mentee-self"))
    assert len(figure.data) == 0


def test_an_empty_history_draws_first_vs_latest(mentee_self):
    figure = first_vs_latest(latest_snapshot(_history([])), mentee_self)
    assert [len(t.x) for t in figure.data] == [0, 0]


def test_ratings_heatmap_has_a_cell_per_quality_and_period(mentee_self):
    figure = ratings_heatmap(_history(HISTORY), mentee_self)
    [heatmap] = figure.data
    assert list(heatmap.x) == ["2026 Q1", "2026 Q2", "2026 Q3"]
    cells = {quality: list(row) for quality, row in zip(heatmap.y, heatmap.z, strict=True)}
    assert cells == {"Asks questions": [2, 3, 4], "Willingness to learn": [5, 4, 1]}
    assert (heatmap.zmin, heatmap.zmax) == (1, 5)


def test_ratings_heatmap_of_an_empty_history_does_not_raise(mentee_self):
    figure = ratings_heatmap(_history([]), mentee_self)
    assert isinstance(figure, Figure)


def test_figures_are_pure(mentee_self):
    history = _history(HISTORY)
    copy = history.copy()
    ratings_over_time(history, mentee_self)
    first_vs_latest(latest_snapshot(history), mentee_self)
    ratings_heatmap(history, mentee_self)
    pd.testing.assert_frame_equal(history, copy)


def _luminance(colour: str) -> float:
    red, green, blue = (float(part) for part in colour[colour.index("(") + 1 : -1].split(","))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_likert_stacks_are_coloured_in_scale_order(mentee_self):
    """Lower ratings darker, higher lighter: the order of the scale can be read from the colours alone."""
    distribution = pd.DataFrame(
        {"item_id": [mentee_self.items[0].id], "suppressed": [False]}
        | {f"rating_{point.value}": [10 * (index + 1)] for index, point in enumerate(mentee_self.scale)}
    )
    figure = likert_bars(distribution, mentee_self, min_size=5)
    colours = [trace.marker.color for trace in figure.data]
    assert len(colours) == len(mentee_self.scale)
    brightness = [_luminance(colour) for colour in colours]
    assert brightness == sorted(brightness) and len(set(brightness)) == len(brightness)
    assert [trace.name.split()[0] for trace in figure.data] == [str(point.value) for point in mentee_self.scale]


def test_hidden_meeting_bins_are_explained_in_pairs():
    from charts.program import meeting_frequency_bars

    frame = pd.DataFrame({"meetings": ["0", "1", "2"], "pairs": [None, 7, None], "suppressed": [True, False, True]})
    assert meeting_frequency_bars(frame, 5).layout.title.text.endswith("(some cells hidden: fewer than 5 pairs)")
    shown = frame.assign(pairs=[6, 7, 8], suppressed=False)
    assert "hidden" not in meeting_frequency_bars(shown, 5).layout.title.text


def _hidden_bars(figure) -> list[tuple]:
    """Every bar drawn as hidden (crossed grey, labelled "hidden"): (trace name, x, y) each."""
    found = []
    for trace in figure.data:
        if trace.type != "bar" or trace.text is None:
            continue
        texts = [trace.text] * len(trace.x) if isinstance(trace.text, str) else list(trace.text)
        for x, y, text in zip(trace.x, trace.y, texts, strict=True):
            if text == "hidden":
                found.append((trace.name, x, y))
    return found


def test_hidden_cells_are_drawn_as_hidden_never_as_an_empty_bar():
    """A hidden cell is a full bar labelled "hidden", a true 0 a bar of 0: the two never look alike."""
    from charts.program import (
        goal_completion_chart,
        goals_reached_chart,
        meeting_frequency_bars,
        process_gap_chart,
        program_goal_progress_chart,
    )

    completion = pd.DataFrame(
        {
            "cohort": ["Small", "Big"],
            "category": ["research", "research"],
            "on_track_share": [None, 0.0],
            "completed_share": [None, 0.0],
            "suppressed": [True, False],
        }
    )
    hidden = _hidden_bars(goal_completion_chart(completion, 5))
    assert sorted(name for name, _, _ in hidden) == ["Small: completed", "Small: on track"] and {y for *_, y in hidden} == {100}
    progress = pd.DataFrame(
        {
            "period_start": [date(2026, 1, 1), date(2026, 4, 1)],
            "category": "research",
            "cohort": "Big",
            "goals": [6, None],
            "share_completed": [0.0, None],
            "share_on_track": [0.5, None],
            "share_behind": [0.5, None],
            "share_other": [0.0, None],
            "reached": [0, None],
            "suppressed": [False, True],
        }
    )
    labels = {date(2026, 1, 1): "2026 Q1", date(2026, 4, 1): "2026 Q2"}
    assert [(x, y) for _, x, y in _hidden_bars(program_goal_progress_chart(progress, 5, labels))] == [("2026 Q2", 100)]
    reached = _hidden_bars(goals_reached_chart(progress, 5, labels))
    assert [x for _, x, _ in reached] == ["2026 Q2"] and reached[0][2] > 0
    bins = pd.DataFrame({"meetings": ["0", "1", "2"], "pairs": [None, 7, 0], "suppressed": [True, False, False]})
    assert [(x, y) for _, x, y in _hidden_bars(meeting_frequency_bars(bins, 5))] == [("0", 7)]
    steps = pd.DataFrame(
        {
            "step": ["Ground rules"],
            "mentee_mean": [None],
            "mentor_mean": [4.0],
            "mentee_suppressed": [True],
            "mentor_suppressed": [False],
        }
    )
    assert [name for name, *_ in _hidden_bars(process_gap_chart(steps, load_catalogue().get("process-steps"), 5))] == ["Mentees"]


def test_process_step_trend_has_a_line_per_step_on_each_side_with_gaps_where_hidden():
    from charts.program import process_step_trend_chart

    steps = load_catalogue().get("process-steps")
    first = steps.items[0]
    frame = pd.DataFrame(
        {
            "period_start": [date(2026, 1, 1), date(2026, 1, 1), date(2026, 4, 1), date(2026, 4, 1)],
            "item_id": first.id,
            "side": ["mentee", "mentor", "mentee", "mentor"],
            "mean": [3.0, 4.0, None, 4.5],
            "suppressed": [False, False, True, False],
        }
    )
    figure = process_step_trend_chart(frame, steps, 5, {date(2026, 1, 1): "2026 Q1", date(2026, 4, 1): "2026 Q2"})
    lines = [trace for trace in figure.data if trace.name == first.text]
    assert len(lines) == 2
    mentee = next(trace for trace in lines if trace.xaxis == "x")
    assert list(mentee.x) == ["2026 Q1", "2026 Q2"] and mentee.y[0] == 3.0 and pd.isna(mentee.y[1])
    marks = [trace for trace in figure.data if trace.name and trace.name.startswith("Hidden")]
    assert [list(trace.x) for trace in marks] == [["2026 Q2"]] and list(marks[0].text) == ["hidden"]


def test_each_process_step_gets_its_own_panel_with_both_sides_over_time():
    steps = load_catalogue().get("process-steps")
    first, second = steps.items[0], steps.items[1]
    rows = [
        # (view, item, period start, rating), out of order on purpose; the second step is rated by the fellow only
        ("Mentor: Mo", first.id, "2026-04-01", 4),
        ("Fellow: Fay", first.id, "2026-04-01", 2),
        ("Fellow: Fay", first.id, "2026-01-01", 3),
        ("Mentor: Mo", first.id, "2026-01-01", 5),
        ("Fellow: Fay", second.id, "2026-07-01", 1),
    ]
    views = pd.DataFrame(rows, columns=["view", "item_id", "period_start", "rating"])
    views["period_start"] = pd.to_datetime(views["period_start"])
    views["period"] = [f"{d.year} Q{(d.month - 1) // 3 + 1}" for d in views["period_start"]]
    views["quality"] = views["item_id"].map({item.id: item.measures for item in steps.items})
    figure = views_per_item_over_time(views.iloc[::-1], steps, "Steps")
    assert [a.text for a in figure.layout.annotations] == [first.measures, second.measures]  # the instrument's order
    panels = {(t.yaxis, t.name): t for t in figure.data}
    assert sorted(panels) == [("y", "Fellow: Fay"), ("y", "Mentor: Mo"), ("y2", "Fellow: Fay"), ("y2", "Mentor: Mo")]
    # Every line runs over every period, with a break (None) where its side did not rate the step.
    assert all(list(trace.x) == ["2026 Q1", "2026 Q2", "2026 Q3"] for trace in figure.data)
    assert list(panels["y", "Fellow: Fay"].y) == [3, 2, None]
    assert list(panels["y", "Mentor: Mo"].y) == [5, 4, None]
    assert list(panels["y2", "Fellow: Fay"].y) == [None, None, 1] and list(panels["y2", "Mentor: Mo"].y) == [None] * 3
    assert [t.name for t in figure.data if t.showlegend] == ["Fellow: Fay", "Mentor: Mo"]  # one legend entry per side
    assert list(figure.layout.xaxis.categoryarray) == ["2026 Q1", "2026 Q2", "2026 Q3"]
    assert panels["y", "Mentor: Mo"].customdata[0] == steps.label_for(5)


def test_each_view_keeps_its_colour_on_the_line_and_the_bar_chart_of_a_page():
    """Two views drew the self-view in one colour on its line chart and another on the bar chart beneath it
    (lines by name, bars by column order): now both give each view the same colour and the self-view the first."""
    instrument = load_catalogue().get("mentee-self")
    items = [(item.id, item.measures) for item in instrument.items[:2]]
    views = pd.DataFrame(
        [
            {
                "view": view,
                "period_start": date(2026, 7, 1),
                "period": "2026 Q3",
                "item_id": item,
                "quality": quality,
                "rating": 3,
            }
            for view in ("Mentor: Zoe Xu", "Self-view", "Mentor: Quinn Novak")
            for item, quality in items
        ]
    )
    gaps = pd.DataFrame(
        {
            "item_id": [item for item, _ in items],
            "quality": [quality for _, quality in items],
            "Self-view": [3, 4],
            "Mentor: Zoe Xu": [4, 4],
            "Mentor: Quinn Novak": [2, 5],
            "gap": [2, 1],
        }
    )
    line_chart = views_over_time(views, instrument, "over time").data
    lines = {trace.name: (trace.line.color, trace.marker.symbol) for trace in line_chart}
    dots = {trace.name: (trace.marker.color, trace.marker.symbol) for trace in gap_bars(gaps, instrument, "latest").data}
    dots.pop("Gap")  # the line from each item's lowest to its highest rating
    assert lines == dots
    assert lines["Self-view"][0] == PALETTE[0]


def test_goal_progress_of_a_large_program_with_dozens_of_cohorts_is_drawn():
    """One panel row per cohort: 61 cohorts (1,500 fellows over 5 years) made plotly refuse the spacing."""
    from charts.program import program_goal_progress_chart

    cohorts = [f"Cohort {n}" for n in range(61)]
    progress = pd.DataFrame(
        {
            "period_start": date(2026, 1, 1),
            "category": "research",
            "cohort": cohorts,
            "goals": 6,
            "share_completed": 0.5,
            "share_on_track": 0.5,
            "share_behind": 0.0,
            "share_other": 0.0,
            "reached": 3,
            "suppressed": False,
        }
    )
    figure = program_goal_progress_chart(progress, 5, {date(2026, 1, 1): "2026 Q1"})
    assert len(figure.data) >= 61


def _many_cohorts(count: int) -> pd.DataFrame:
    """Goal progress of `count` cohorts over two periods in one category; the first cohort hidden in the second period."""
    rows = []
    for n in range(count):
        for period, behind in ((date(2026, 1, 1), 0.1), (date(2026, 4, 1), n / 100)):
            hidden = n == 0 and period.month == 4
            rows.append(
                {
                    "period_start": period,
                    "category": "research",
                    "cohort": f"Cohort {n:02d}",
                    "goals": None if hidden else 10,
                    "share_completed": None if hidden else 0.2,
                    "share_on_track": None if hidden else 0.8 - behind,
                    "share_behind": None if hidden else behind,
                    "share_other": None if hidden else 0.0,
                    "reached": None if hidden else 1,
                    "suppressed": hidden,
                }
            )
    return pd.DataFrame(rows)


def test_the_goal_overview_of_sixty_cohorts_is_one_heatmap_per_category_with_the_hidden_cells_crossed():
    """A row per cohort, a column per period, coloured by the state's share; the hidden snapshot is a cross, no colour."""
    from charts.program import goal_progress_overview_chart, program_goal_progress_chart

    progress = _many_cohorts(61)
    labels = {date(2026, 1, 1): "2026 Q1", date(2026, 4, 1): "2026 Q2"}
    figure = goal_progress_overview_chart(progress, 5, labels, "share_behind")
    [heatmap] = [trace for trace in figure.data if trace.type == "heatmap"]
    z = np.asarray(heatmap.z, dtype=float)
    assert z.shape == (61, 2)
    assert z[1, 1] == 1 and z[60, 1] == 60 and z[5, 0] == 10  # percent, cohort by row, period by column
    assert np.isnan(z[0, 1])  # hidden: no colour ...
    [crosses] = [trace for trace in figure.data if trace.type == "scatter"]
    assert (list(crosses.x), list(crosses.y)) == ([1], [0])  # ... but a cross
    assert "Hidden: fewer than 5" in crosses.name and "some cells hidden" in figure.layout.title.text
    assert list(figure.layout.yaxis.ticktext)[:2] == ["Cohort 00", "Cohort 01"]
    assert len(figure.to_json()) < len(program_goal_progress_chart(progress, 5, labels).to_json()) / 10
    on_track = goal_progress_overview_chart(progress, 5, labels, "share_on_track")
    assert np.asarray(on_track.data[0].z, dtype=float)[1, 1] == 79
    unpadded = progress.assign(cohort=progress["cohort"].str.replace("Cohort 0", "Cohort "))
    rows = list(goal_progress_overview_chart(unpadded, 5, labels).layout.yaxis.ticktext)
    assert rows[:3] == ["Cohort 0", "Cohort 1", "Cohort 2"] and rows.index("Cohort 9") < rows.index("Cohort 10")


def test_every_drawn_figure_has_the_apps_template_whole(mentee_self):
    """charts.style.finish sets the template (a layout that names it validates it again for every figure),
    whatever plotly's default is (Streamlit makes its own the default)."""
    import plotly.io as pio

    from charts.style import LAYOUT, TEMPLATE, finish

    assert "template" not in LAYOUT
    figure = finish(ratings_over_time(_history(HISTORY), mentee_self))
    assert figure.to_dict()["layout"]["template"] == pio.templates[TEMPLATE].to_plotly_json()
    named = ratings_over_time(_history(HISTORY), mentee_self).update_layout(template=TEMPLATE)
    assert pio.to_json(figure) == pio.to_json(finish(named))
