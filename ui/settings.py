"""The director's settings forms: each submit is one change, stored with who and when, or refused with
why (analytics/program_settings.py). After a change the page reruns and says what changed at the top."""

import pandas as pd
import streamlit as st

from analytics import program_settings as settings
from analytics import relationship_health as health
from analytics.disclosure import FLOOR_MIN_GROUP_SIZE
from analytics.people import Viewer
from ui.data import cached_read, version_of
from ui.notices import confirm, refusals
from ui.resources import AppResources, now
from ui.submissions import empty_form, form_key
from ui.tables import show_table
from ui.text import as_text


def _categories(store, viewer: Viewer) -> pd.DataFrame:
    return settings.category_list(store, viewer.program_id)


def _records_exist(store, viewer: Viewer) -> bool:
    return settings.has_period_records(store, viewer.program_id)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _cadences(_resources: AppResources, db_path: str, version: tuple, viewer: Viewer) -> pd.DataFrame:
    return settings.cadence_choices(_resources.store, _resources.catalogue, viewer.program_id)


def cadences(resources: AppResources, viewer: Viewer) -> pd.DataFrame:
    """The program's instruments whose cadence it may choose, with the current choice."""
    return _cadences(resources, resources.store.path, version_of(resources, viewer, "settings"), viewer)


def current_values(program: dict, minimum: int, categories: pd.DataFrame, chosen: pd.DataFrame) -> None:
    """The settings as they stand, one line each."""
    in_use = categories.loc[~categories["retired"], "category"]
    rows = [
        {"setting": "Period length", "value": f"{program['period_months']} months"},
        {"setting": "Minimum group size", "value": f"{minimum} people"},
        {"setting": "Goal categories offered", "value": ", ".join(in_use)},
    ]
    rows += [{"setting": f"Asked: {row.title}", "value": settings.CADENCE_WORDS[row.cadence]} for row in chosen.itertuples()]
    show_table(
        pd.DataFrame(rows), key="settings-now", file_name="settings.csv", column_config={"setting": "Setting", "value": "Now"}
    )


def minimum_form(resources: AppResources, viewer: Viewer, minimum: int) -> None:
    st.caption(
        "A figure on the dashboard is shown only from groups of at least this many people. A change applies to "
        "the current period and later ones; a period that has already closed keeps the minimum it closed with, "
        "so no figure already published changes (old and new figures of one period could be subtracted)."
    )
    with st.form("settings-minimum"):
        value = st.number_input(
            "Minimum group size",
            min_value=FLOOR_MIN_GROUP_SIZE,
            max_value=settings.MAX_MIN_GROUP_SIZE,
            value=minimum,
            step=1,
            help=f"Never below {FLOOR_MIN_GROUP_SIZE}.",
        )
        if st.form_submit_button("Change the minimum"):
            with refusals():
                settings.change_min_group_size(resources.store, viewer, int(value), now(resources.settings))
                confirm(f"The minimum group size is now {int(value)}, from the current period on.")


def period_form(resources: AppResources, viewer: Viewer, months: int) -> None:
    if cached_read(resources, _records_exist, viewer):
        st.caption(
            f"Periods are {months} months long. The length cannot change any more: answers, goals, outputs and "
            "meetings are filed by period, and regrouping them would let new figures be subtracted from published ones."
        )
    else:
        st.caption("Nothing is recorded yet, so the length can still change; once anything is, it stays.")
    with st.form("settings-period"):
        value = st.selectbox(
            "Period length (months)",
            settings.PERIOD_LENGTHS,
            index=settings.PERIOD_LENGTHS.index(months) if months in settings.PERIOD_LENGTHS else None,
        )
        if st.form_submit_button("Change the period length"):
            with refusals():
                settings.change_period_months(resources.store, viewer, value, now(resources.settings))
                confirm(f"Periods are now {value} months long.")


def categories_section(resources: AppResources, viewer: Viewer, categories: pd.DataFrame) -> None:
    show_table(
        categories.assign(state=["retired" if r else "offered" for r in categories["retired"]]),
        key="settings-categories",
        file_name="goal-categories.csv",
        column_order=["category", "state", "goals"],
        column_config={"category": "Category", "state": "For new goals", "goals": "Goals that have it"},
    )
    st.caption(
        f"At most {settings.MAX_CATEGORIES} offered. A retired category stays on the goals that have it and is no "
        "longer offered for new ones; renaming one renames it on its goals too."
    )
    names = list(categories["category"])
    offered = list(categories.loc[~categories["retired"], "category"])
    add, rename, retire = st.columns(3)
    with add, st.form(form_key("settings-add-category")):
        name = st.text_input("New category (or a retired one to offer again)", max_chars=settings.MAX_CATEGORY)
        if st.form_submit_button("Add"):
            with refusals():
                added = settings.add_goal_category(resources.store, viewer, name, now(resources.settings))
                empty_form("settings-add-category")
                confirm(f"Goals can now have the category '{added}'.")
    with rename, st.form(form_key("settings-rename-category")):
        old = st.selectbox("Category to rename", names, index=None, placeholder="Choose a category")
        new = st.text_input("New name", max_chars=settings.MAX_CATEGORY)
        if st.form_submit_button("Rename"):
            with refusals():
                renamed = settings.rename_goal_category(resources.store, viewer, old, new, now(resources.settings))
                empty_form("settings-rename-category")
                confirm(f"'{old}' is now called '{renamed}', on its goals too.")
    with retire, st.form("settings-retire-category"):
        gone = st.selectbox("Category to retire", offered, index=None, placeholder="Choose a category")
        if st.form_submit_button("Retire"):
            with refusals():
                settings.retire_goal_category(resources.store, viewer, gone, now(resources.settings))
                confirm(f"'{gone}' is no longer offered for new goals; the goals that have it keep it.")


def cadence_section(resources: AppResources, viewer: Viewer, chosen: pd.DataFrame) -> None:
    if chosen.empty:
        st.info(
            "None of the program's instruments lets its director choose how often it is asked: the app's own are "
            "asked every period, and a program's own file offers a choice with `cadence_choices`."
        )
        return
    st.caption("Who is asked, and the participation figures, follow the choice; ratings already given stay as they are.")
    for row in chosen.itertuples():
        with st.form(f"settings-cadence-{row.instrument_id}"):
            cadence = st.selectbox(
                as_text(row.title),
                row.choices,
                index=row.choices.index(row.cadence),
                format_func=settings.CADENCE_WORDS.__getitem__,
            )
            if st.form_submit_button("Change how often it is asked"):
                with refusals():
                    settings.change_instrument_cadence(
                        resources.store, resources.catalogue, viewer, row.instrument_id, cadence, now(resources.settings)
                    )
                    confirm(f"'{row.title}' is now asked {settings.CADENCE_WORDS[cadence]}.")


def history_table(history: pd.DataFrame) -> None:
    if history.empty:
        st.info("No setting has been changed yet.")
        return
    show_table(
        history,
        key="settings-history",
        file_name="settings-history.csv",
        column_config={
            "when": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
            "who": "Who",
            "setting": "Setting",
            "of": "Of",
            "before": "Before",
            "after": "After",
        },
    )


def categories(resources: AppResources, viewer: Viewer) -> pd.DataFrame:
    return cached_read(resources, _categories, viewer)


def _health_thresholds(store, viewer: Viewer) -> dict:
    return health.health_thresholds(store, viewer.program_id)


def health_section(resources: AppResources, viewer: Viewer) -> None:
    """The pair health thresholds: each one's value now, its default and why, and a form to change one."""
    values = cached_read(resources, _health_thresholds, viewer)
    rows = [
        {"threshold": t.label, "now": f"{values[t.key]:g}", "default": f"{t.default:g}", "why": t.why} for t in health.THRESHOLDS
    ]
    show_table(
        pd.DataFrame(rows),
        key="settings-health",
        file_name="pair-health-thresholds.csv",
        column_config={"threshold": "Threshold", "now": "Now", "default": "Default", "why": "Why the default"},
    )
    st.caption(
        "A change decides which pairs each signal flags from now on, on the pairs' own Pair health and in your "
        "counts; no record changes."
    )
    labels = {t.key: t.label for t in health.THRESHOLDS}
    with st.form("settings-health-threshold"):
        key = st.selectbox("Threshold", list(labels), format_func=labels.__getitem__, index=None, placeholder="Choose")
        value = st.number_input("New value", min_value=0.0, max_value=400.0, value=None, step=1.0)
        if st.form_submit_button("Change the threshold"):
            with refusals():
                chosen = health.THRESHOLD_KEYS.get(key) if key else None
                number = (
                    int(value) if chosen is not None and chosen.whole and value is not None and value == int(value) else value
                )
                settings.change_health_threshold(resources.store, viewer, key, number, now(resources.settings))
                confirm(f"'{labels[str(key)]}' is now {number:g}.")
