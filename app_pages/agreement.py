"""The mentoring agreement of a pair: what the two agree, who acknowledged it, and how it holds up."""

from datetime import timedelta

import streamlit as st

from analytics.agreements import FIELDS, MAX_WEEKS, MIN_WEEKS, TEXT_LIMIT, acknowledge, record_agreement
from ui.meetings import agreement_check, agreement_of, agreement_versions, choose_pair
from ui.notices import confirm, refusals
from ui.resources import now, today
from ui.submissions import submission_key
from ui.tables import show_table
from ui.text import as_text
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow", "mentor")
store = resources.store
day = today(resources.settings)

st.title("Agreement")
st.caption(
    "From the guidance: the mentoring process is optimised by \u201cSetting ground rules and mutual expectations\u201d. "
    "Both of you always see your agreement; nobody else does."
)

_, pair_id = choose_pair(resources, viewer, day, key="agreement-pair", why_none="An agreement is written within a pair.")

current = agreement_of(resources, viewer, pair_id)
st.header("Our agreement")
if current is None:
    st.info("You have not written an agreement yet. Either of you can write it below; the other acknowledges it.")
else:
    st.markdown(
        f"**Version {current['version']}**, written by {as_text(current['written_by_name'])} on {current['written_at']:%d %b %Y}"
    )
    st.markdown(
        f"- **How often we meet:** every {current['meet_every_weeks']} week{'s' if current['meet_every_weeks'] != 1 else ''}"
    )
    for field, label in FIELDS.items():
        st.markdown(f"- **{label}:** {as_text(current[field])}")
    st.markdown(f"- **We review it on:** {current['review_on']:%d %b %Y}")
    acknowledged = {a["person_id"] for a in current["acknowledged_by"]}
    who = ", ".join(f"{as_text(a['name'])} ({a['acknowledged_at']:%d %b %Y})" for a in current["acknowledged_by"])
    if current["acknowledged_by_both"]:
        st.success(f"Acknowledged by both of you: {who}.")
    else:
        waiting = [as_text(current[f"{side}_name"]) for side in ("mentor", "mentee") if current[f"{side}_id"] not in acknowledged]
        st.warning(f"Acknowledged by {who}; waiting for {', '.join(waiting)}.")
    if viewer.person_id not in acknowledged and st.button("Acknowledge", type="primary", key="acknowledge"):
        with refusals():
            confirm(acknowledge(store, viewer, int(current["agreement_id"]), now(resources.settings)))

st.header("Meetings against the agreement")
check = agreement_check(resources, viewer, pair_id, day)
(st.warning if check["behind"] else st.info)(check["sentence"])
if check["review_due"]:
    st.warning(check["review_sentence"])
elif check["review_soon"]:
    st.info(check["review_sentence"])
elif check["review_sentence"]:
    st.caption(check["review_sentence"])

st.header("Write a new version" if current else "Write our agreement")
st.caption("A new version never replaces the old one; both of you acknowledge it again.")
prefill = current or {}
version_key = prefill.get("version", 0)
with st.form(f"agreement-form-{version_key}"):
    weeks = st.number_input(
        "We meet every ... weeks",
        min_value=MIN_WEEKS,
        max_value=MAX_WEEKS,
        value=int(prefill.get("meet_every_weeks", 4)),
        step=1,
        key=f"agreement-weeks-{version_key}",
    )
    texts = {
        field: st.text_area(label, value=prefill.get(field, ""), max_chars=TEXT_LIMIT, key=f"agreement-{field}-{version_key}")
        for field, label in FIELDS.items()
    }
    suggested_review = prefill.get("review_on")
    if suggested_review is None or suggested_review <= day:
        suggested_review = day + timedelta(days=180)
    review_on = st.date_input(
        "We review it on",
        value=suggested_review,
        min_value=day + timedelta(days=1),
        max_value=day + timedelta(days=730),
        key=f"agreement-review-{version_key}",
    )
    saved = st.form_submit_button("Save agreement", type="primary")
if saved:
    with refusals():
        key = submission_key(f"agreement-{pair_id}", weeks, *texts.values(), review_on)
        record_agreement(
            store, viewer, pair_id, int(weeks), *texts.values(), review_on, day, now(resources.settings), submission_key=key
        )
        confirm("Saved. The other member of your pair is asked to acknowledge it.")

versions = agreement_versions(resources, viewer, pair_id)
if len(versions) > 1:
    with st.expander(f"Older versions ({len(versions) - 1})"):
        show_table(
            versions.iloc[1:].drop(columns=["agreement_id"]),
            key="agreement-versions",
            file_name="agreement-versions.csv",
            column_config={"meet_every_weeks": "Meet every (weeks)", "written_by_name": "Written by"},
        )
