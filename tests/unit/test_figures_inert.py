"""No text in a figure is HTML: every builder is fed hostile labels in every text it shows.

Plotly applies a few tags in trace names, hover text, tick labels, titles and annotations (`<a href>`
becomes a link, `<b>` bold); a person's name or a cohort's name must show as typed. The builders are
found by looking in every module of charts/, so a new one fails here until it is given inputs below
and is escaped.
"""

import dataclasses
import html
import importlib
import inspect
import json
import pkgutil
from datetime import date

import pandas as pd
import pytest

import charts
from analytics.instruments import load_catalogue
from charts.ratings import views_over_time

HOSTILE = ['<a href="http://x">x</a>', "<b>bold</b>", "<script>alert(1)</script>", '=HYPERLINK("http://x")']
RAW = ("<a", "<b>", "<script")
NOT_BUILDERS = {  # public, but style, not a figure (`finish` touches a built one: titles wrapped, never new text;
    # `drawn` keeps a built one's dict)
    *("likert_colours", "scale_axis", "escape_every_builder", "view_order", "finish", "drawn", "wrap", "wrapped_ticks"),
    "natural_key",
    *("slots_of", "slot_line", "slot_marker", "slot_bar"),
    "sample_figure_json",  # the start-up's warm-up figure: made-up numbers, no one's text
    # The review report (charts/report.py) draws figures the builders above made (escaped there) as images,
    # and lays them out; it makes no figure of its own
    *("report_figures", "printable", "browser_path", "draw", "review_report_pdf", "report_file_name"),
}
PERIODS = [date(2026, 1, 1), date(2026, 4, 1)]


def _instrument(label: str):
    """A shipped instrument whose title, item texts and scale labels are all `label` (a program may add its own)."""
    real = load_catalogue().get("mentee-self")
    return dataclasses.replace(
        real,
        title=f"{label} title",
        items=tuple(dataclasses.replace(item, text=f"{label} {n}") for n, item in enumerate(real.items)),
        scale=tuple(dataclasses.replace(point, label=f"{label} {point.value}") for point in real.scale),
    )


def _inputs(label: str) -> dict:
    """Arguments for every builder, every text in them (names, labels, titles, notes) being `label` or built from it."""
    instrument = _instrument(label)
    item = instrument.items[0].id
    one, two = f"{label} one", f"{label} two"
    history = pd.DataFrame(
        {
            "instrument_id": instrument.id,
            "item_id": [item, item, "other", "other"],
            "quality": [one, one, two, two],
            "period_start": pd.to_datetime(PERIODS * 2),
            "period": [f"{label} Q1", f"{label} Q2"] * 2,
            "rating": [2, 3, 4, 5],
        }
    )
    snapshot = pd.DataFrame({"instrument_id": instrument.id, "item_id": [item], "quality": [one], "first": [2], "latest": [4]})
    views = pd.DataFrame(
        {
            "view": [one, one, two, two],
            "period_start": PERIODS * 2,
            "period": [f"{label} Q1", f"{label} Q2"] * 2,
            "rating": [2, 3, 4, 3],
        }
    )
    item_views = pd.concat([views.assign(item_id=item, quality=one), views.assign(item_id="other", quality=two)])
    gaps = pd.DataFrame({"item_id": [item], "quality": [one], one: [2], two: [4], "gap": [2]})
    goal = {
        "title": label,
        "started_on": date(2026, 1, 1),
        "target_date": date(2026, 12, 31),
        "start_value": 0,
        "target_value": 10,
        "measure": "count",
        "unit": label,
        "pace": "on track",
        "percent_done": 40.0,
        "expected_percent_today": 40.0,
    }
    goal_history = pd.DataFrame(
        {
            "kind": ["start", "check-in"],
            "on": [date(2026, 1, 1), date(2026, 5, 1)],
            "value": [0, 4],
            "status": None,
            "note": [None, label],
        }
    )
    goals = pd.DataFrame(
        {
            "goal_id": [1, 2],
            "title": [label, label],
            "started_on": [date(2026, 1, 1)] * 2,
            "target_date": [date(2026, 12, 31)] * 2,
            "pace": ["on track", "behind"],
            "percent_done": [40.0, 10.0],
        }
    )
    months = pd.to_datetime(["2026-01-01", "2026-02-01"])
    cumulative = pd.DataFrame({"month": months, "kind": [one, two], "added": [1, 1], "cumulative": [1, 1]})
    network = pd.DataFrame({"domain_id": ["career", "research"], "mentor": [one, two], "source": [label, label]})
    domains = {"career": f"{label} career", "research": f"{label} research", "social": f"{label} social"}
    period_labels = {PERIODS[0]: f"{label} Q1", PERIODS[1]: f"{label} Q2"}
    distribution = pd.DataFrame(
        {"item_id": [item, label], "suppressed": [False, True]} | {f"rating_{p.value}": [3, None] for p in instrument.scale}
    )
    heatmap = pd.DataFrame(
        {
            "period_start": PERIODS * 2,
            "item_id": [item, item, label, label],
            "mean": [3.0, None, 4.0, 2.0],
            "suppressed": [False, True, False, False],
        }
    )
    trend = pd.DataFrame(
        {
            "period_start": PERIODS * 2,
            "cohort": [one, one, two, two],
            "mean": [3.0, 3.5, 2.0, None],
            "sd": [0.5, 0.4, 0.3, None],
            "suppressed": [False, False, False, True],
        }
    )
    means = pd.DataFrame({"item_id": [item, label], "self_mean": [3.0, 4.0], "mentor_mean": [4.0, 3.0], "suppressed": False})
    steps = pd.DataFrame({"step": [one, two], "mentee_mean": [3.0, 4.0], "mentor_mean": [4.0, 3.0], "suppressed": False})
    participation = pd.DataFrame(
        {
            "period_start": PERIODS * 2,
            "cohort": [one, one, two, two],
            "completion_rate": [0.5, 0.6, None, 0.7],
            "suppressed": [False, False, True, False],
        }
    )
    completion = pd.DataFrame(
        {
            "cohort": [one, two],
            "category": [f"{label} c", f"{label} c"],
            "on_track_share": [0.5, 0.6],
            "completed_share": [0.2, 0.1],
        }
    )
    outputs = pd.DataFrame({"kind": [one, two], "period": [one, two], "cumulative": [1, 2], "suppressed": False})
    by_instrument = pd.DataFrame(
        {"instrument_id": [one, two], "respondent": [label, label], "period_start": PERIODS, "completion_rate": [0.5, 0.6]}
    )
    bins = pd.DataFrame({"meetings": [one, two], "pairs": [6, 7], "suppressed": False})
    progress = pd.DataFrame(
        {
            "period_start": PERIODS * 2,
            "category": [f"{label} c"] * 4,
            "cohort": [one, one, two, two],
            "goals": [6, 7, None, 5],
            "share_completed": [0.2, 0.3, None, 0.0],
            "share_on_track": [0.5, 0.4, None, 0.6],
            "share_behind": [0.3, 0.3, None, 0.4],
            "share_other": [0.0, 0.0, None, 0.0],
            "reached": [1, 1, None, 0],
            "suppressed": [False, False, True, False],
        }
    )
    step_trend = pd.DataFrame(
        {
            "period_start": [PERIODS[0], PERIODS[0], PERIODS[1], PERIODS[1]],
            "item_id": [item] * 4,
            "side": ["mentee", "mentor"] * 2,
            "mean": [3.0, None, 4.0, 3.5],
            "suppressed": [False, True, False, False],
        }
    )
    frequency = pd.DataFrame({"period": [f"{label} Jan", f"{label} Feb"], "held": [1, 2]})
    return {
        "ratings_over_time": ((history, instrument), {"average_of": history, "title": label}),
        "first_vs_latest": ((snapshot, instrument), {}),
        "ratings_heatmap": ((history, instrument), {}),
        "views_over_time": ((views, instrument, label), {}),
        "views_per_item_over_time": ((item_views, instrument, label), {}),
        "gap_bars": ((gaps, instrument, label), {}),
        "meeting_frequency_chart": ((frequency,), {"agreed_per_month": 1.0, "title": label}),
        "goal_progress": ((goal_history, goal), {}),
        "goals_timeline": ((goals, date(2026, 6, 1)), {"title": label}),
        "cumulative_outputs_chart": ((cumulative,), {"title": label}),
        "network_chart": ((network, ["social"], domains), {}),
        "likert_bars": ((distribution, instrument, 5), {"title": label}),
        "program_heatmap": ((heatmap, instrument, 5, period_labels), {}),
        "cohort_trend_chart": ((trend, instrument, 5, period_labels), {}),
        "self_vs_mentor_chart": ((means, instrument, 5), {}),
        "process_gap_chart": ((steps, instrument, 5), {}),
        "participation_chart": ((participation, 5, period_labels), {}),
        "goal_completion_chart": ((completion, 5), {}),
        "program_outputs_chart": ((outputs, 5), {}),
        "participation_by_instrument_chart": ((by_instrument, 5, period_labels), {}),
        "meeting_frequency_bars": ((bins, 5), {}),
        "program_goal_progress_chart": ((progress, 5, period_labels), {}),
        "goals_reached_chart": ((progress, 5, period_labels), {}),
        "goal_progress_overview_chart": ((progress, 5, period_labels), {}),
        "process_step_trend_chart": ((step_trend, instrument, 5, period_labels), {}),
    }


def _defined() -> list[tuple[str, object]]:
    """(name, function) of every public function defined in any module of charts/."""
    modules = [importlib.import_module(f"charts.{module.name}") for module in pkgutil.iter_modules(charts.__path__)]
    return [
        (name, function)
        for module in modules
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and function.__module__ == module.__name__ and name not in NOT_BUILDERS
    ]


def _builders() -> dict:
    return dict(_defined())


def _strings(value) -> list[str]:
    """Every string in the figure's JSON, decoded (to_json writes `<` as \\u003c)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in _strings(key) + _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_every_builder_is_given_hostile_inputs():
    names = [name for name, _ in _defined()]
    assert len(names) == len(set(names)), "two charts modules define a builder of the same name"
    assert set(names) == set(_inputs("x")), "a figure builder without hostile inputs here: add it to _inputs"
    unescaped = sorted(name for name, function in _builders().items() if not hasattr(function, "__wrapped__"))
    assert unescaped == [], "annotate these `-> go.Figure` and end their module with escape_every_builder(globals())"


@pytest.mark.parametrize("label", HOSTILE)
@pytest.mark.parametrize("name", sorted(_builders()))
def test_no_label_is_html_in_any_figure(name, label):
    args, kwargs = _inputs(label)[name]
    figure = _builders()[name](*args, **kwargs)
    assert isinstance(figure, charts.Figure)
    strings = _strings(json.loads(figure.to_json()))
    raw = [s for s in strings if any(tag in s for tag in RAW)]
    assert raw == [], f"{name} shows {label!r} as HTML"
    assert any(html.escape(label, quote=False) in s for s in strings), f"{name} does not show {label!r} at all"


def test_a_label_is_escaped_once():
    """An escaped name shows as typed: `&` becomes `&amp;` once, not `&amp;amp;`."""
    views = pd.DataFrame({"view": ["Tom & <Jerry>"], "period_start": [PERIODS[0]], "period": ["Q1"], "rating": [3]})
    figure = views_over_time(views, _instrument("i"), "A & B")
    assert figure.data[0].name == "Tom &amp; &lt;Jerry&gt;"
    assert figure.layout.title.text == "A &amp; B"
