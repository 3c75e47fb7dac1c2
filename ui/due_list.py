"""A person's assessments of this period on one page: each one due, with its state, opened in place.

Each assessment is an expander that tracks whether it is open (`on_change="rerun"`), so only an open
one runs its form: thirteen closed ones cost a line each. The first one not yet done opens on a visit;
after a submit the page reruns with that one closed (now marked done) and the next one not yet done
open, and the confirmation (ui.notices) at the top says what was saved and what comes next.

There are no drafts: an answer is stored whole on Submit or not at all, so an assessment is either
done (with the day of the answer that counts) or not started. What is typed into an open form stays
while other forms are opened and closed; closing its own expander drops it.
"""

from collections.abc import Callable

import streamlit as st

from analytics.assessments import DueAssessment, Submission
from analytics.people import Viewer
from analytics.periods import period_label
from ui.assessment_form import show_assessment_form, target_key
from ui.links import page_link
from ui.notices import confirm
from ui.resources import AppResources
from ui.text import as_text

OPEN_NEXT = "due-open-next"  # set by a submit: (the one saved, the one to open next or None), used by the next run


def open_key(due: DueAssessment) -> str:
    """The session key of an assessment's expander: True while it is open."""
    return f"due-open-{target_key(due)}"


def in_order(due: list[DueAssessment]) -> list[DueAssessment]:
    """Oneself first, then each person of a pair with everything asked about them together, in the order
    the pairs came (the instruments in the catalogue's order within each)."""
    pairs = list(dict.fromkeys(item.pair_id for item in due if item.pair_id is not None))
    return sorted(due, key=lambda item: -1 if item.pair_id is None else pairs.index(item.pair_id))


def what(item: DueAssessment) -> str:
    """The assessment in words, as typed: its title and whom it is about."""
    return item.in_words


def state(item: DueAssessment, year: int) -> str:
    if item.submitted_at is None:
        return "not started"
    return f"done {item.submitted_at:%d %b}" + ("" if item.submitted_at.year == year else f" {item.submitted_at:%Y}")


def next_undone(items: list[DueAssessment], saved: DueAssessment) -> DueAssessment | None:
    """The first one not done after `saved` in the list, from the top again after the last one."""
    at = items.index(saved)
    for item in items[at + 1 :] + items[:at]:
        if not item.done:
            return item
    return None


def _open_at_start(items: list[DueAssessment]) -> None:
    """Before any expander is drawn: after a submit close the one saved and open the next; on a visit
    (no expander state yet) open the first one not done."""
    pending = st.session_state.pop(OPEN_NEXT, None)
    if pending is not None:
        saved, following = pending
        st.session_state[f"due-open-{saved}"] = False
        if following is not None:
            st.session_state[f"due-open-{following}"] = True
    elif not any(open_key(item) in st.session_state for item in items):
        first = next((item for item in items if not item.done), None)
        if first is not None:
            st.session_state[open_key(first)] = True


def _saved(items: list[DueAssessment], item: DueAssessment) -> Callable[[Submission], None]:
    def confirm_and_move_on(submission: Submission) -> None:
        following = next_undone(items, item)
        done = sum(other.done or other == item for other in items)
        st.session_state[OPEN_NEXT] = (target_key(item), None if following is None else target_key(following))
        period = period_label(item.period_start)
        then = f" Next: {what(following)}, open below." if following is not None else " That is all for this period."
        confirm(f"Saved: {what(item)} for {period}. {done} of {len(items)} done.{then}")

    return confirm_and_move_on


def show_due_list(resources: AppResources, viewer: Viewer, due: list[DueAssessment]) -> None:
    """Every assessment in `due` (one period's) with its state, each open in place, the next one not done open."""
    items = in_order(due)
    _open_at_start(items)
    done = sum(item.done for item in items)
    period = items[0].period_start
    st.markdown(f"**{done} of {len(items)} done** for {period_label(period)}.")
    if done == len(items):
        st.success("All done for this period. Thank you.")
    if done:
        page_link("app_pages/progress.py", "See my progress", ":material/show_chart:")
    for item in items:
        box = st.expander(
            f"{as_text(what(item))} · {state(item, period.year)}",
            key=open_key(item),
            on_change="rerun",
            icon=":material/check_circle:" if item.done else ":material/radio_button_unchecked:",
        )
        if box.open:
            with box:
                show_assessment_form(resources, viewer, item, _saved(items, item))
