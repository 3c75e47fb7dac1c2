"""The assessment form: one rating per item, the guidance on hover, one stored assessment per submit."""

from collections.abc import Callable

import streamlit as st

from analytics.assessments import DueAssessment, Submission, submit_assessment
from analytics.people import Viewer
from analytics.periods import period_label
from ui.notices import refusals
from ui.resources import AppResources, now, today
from ui.submissions import submission_key
from ui.text import as_text

CADENCES = {
    "yearly": "Asked once a year.",
    "once": "Asked once.",
    "pair-start-end": "Asked when a pair starts and again when it ends.",
}


def target_key(due: DueAssessment) -> str:
    return f"{due.instrument_id}:{due.subject_id}:{due.pair_id or 0}"


def show_assessment_form(
    resources: AppResources, viewer: Viewer, due: DueAssessment, saved: Callable[[Submission], object]
) -> None:
    """Render the form for one due assessment; once it is stored, `saved(submission)`, which reruns the page.

    The submission key follows the ratings and comment: the same ones submitted twice (a double click)
    are stored once, while changed ones (a correction) are a new submission.
    """
    instrument = resources.catalogue.get(due.instrument_id)
    target = target_key(due)
    if instrument.cadence in CADENCES:
        st.caption(CADENCES[instrument.cadence])
    if due.done:
        st.caption(
            f"You answered this on {due.submitted_at:%d %b %Y}. Answering again corrects it for "
            f"{period_label(due.period_start)}; the earlier answers are kept as history."
        )
    with st.form(f"assessment-{target}"):
        st.markdown(
            f"**{as_text(instrument.title)}**"
            + ("" if due.about == "self" else f" {'with' if due.about == 'pair' else 'about'} **{as_text(due.subject_name)}**")
        )
        if instrument.description:
            st.caption(as_text(instrument.description))
        if instrument.source:
            st.caption(as_text(f"Source: {instrument.source}"))
        options = [point.value for point in instrument.scale]
        ratings = {}
        for index, item in enumerate(instrument.items):
            if item.subscale and (index == 0 or instrument.items[index - 1].subscale != item.subscale):
                st.markdown(f"**{as_text(item.subscale)}**")
            ratings[item.id] = st.radio(
                as_text(item.text),  # a program file is typed by people too
                options,
                index=None,
                horizontal=True,
                key=f"{target}:{item.id}",
                # Option labels and help are Markdown: a program's labels, source and file name are typed by people
                format_func=lambda value: f"{value} {as_text(instrument.label_for(value))}",
                help=as_text(instrument.origin_of(item)),
            )
        signed = False
        if instrument.about == "mentor":
            signed = st.checkbox(
                "Sign this rating",
                key=f"{target}:signed",
                help="Your mentor sees this period's ratings only once the period has closed. Unsigned, as an average "
                "of at least three mentees' ratings; signed, this rating with your name.",
            )
        comment = st.text_area(
            "Comment (optional, only you and those you share with see it)", max_chars=2000, key=f"{target}:comment"
        )
        if not st.form_submit_button("Submit", type="primary"):
            return
    key = submission_key(f"assessment-{target}", ratings, signed, comment)
    with refusals():
        submission = submit_assessment(
            resources.store,
            resources.catalogue,
            viewer,
            due.instrument_id,
            ratings,
            today=today(resources.settings),
            now=now(resources.settings),
            submission_key=key,
            comment=comment,
            subject_id=due.subject_id,
            pair_id=due.pair_id,
            signed=signed,
        )
        saved(submission)
