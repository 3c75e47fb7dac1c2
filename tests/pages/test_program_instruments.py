"""A program's own instrument end to end (issue 14): the demo's 7-point instrument with subscales on the
dashboard, and one dropped into the program's folder reaching the form, the person's charts and the dashboard."""

from tests.pages.test_dashboard_page import open_as

MCA = "mentoring-competencies"  # demo/instruments/: 7 points, six competencies as subscales


def _distribution(at):
    frames = [element.value for element in at.dataframe]
    return next(f for f in frames if {"item_id", "mean", "rating_7"} <= set(f.columns))


def test_a_seven_point_rating_of_6_or_7_is_counted_in_the_distribution(demo_db, app_store):
    at = open_as(app_store, "director@demo.org")
    instrument = next(box for box in at.selectbox if box.key == "dash_instrument")
    assert MCA in instrument.options or any("Mentoring competencies" in o for o in instrument.options)
    at = instrument.set_value(MCA).run()
    assert not at.exception, at.exception
    shown = _distribution(at)
    shown = shown[~shown["suppressed"].astype(bool)]
    assert len(shown), "a published period of the demo's own instrument"
    points = [f"rating_{v}" for v in range(1, 8)]
    assert "rating_0" not in shown and "rating_8" not in shown
    items = shown[~shown["item_id"].str.startswith("subscale:")]
    # Every answer lands in a column of the scale: in a period, each item counts as many answers as the others.
    answers = items.assign(answers=items[points].astype(int).sum(axis=1)).groupby("period_start")["answers"]
    assert (answers.nunique() == 1).all() and (answers.min() >= items.groupby("period_start")["n"].max()).all()
    assert int(items[["rating_6", "rating_7"]].astype(int).to_numpy().sum()) > 0
    # Beside the items, a mean per competency (subscale).
    assert shown["item_id"].str.startswith("subscale:").sum() >= 6
