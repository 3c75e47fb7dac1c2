"""What my mentors see: per mentor, which of my own records they may see. Withdraw at any time."""

import streamlit as st

from analytics.sharing import DEFAULT_SHARED, set_sharing, sharing_overview
from ui.data import cached_read
from ui.notices import refusals
from ui.resources import now
from ui.text import as_text
from ui.viewer import require_viewer

resources, viewer = require_viewer("fellow")

st.title("What my mentors see")
st.write(
    "Your self-assessments, goals and outputs are yours. Choose, for each mentor, what they may see. "
    + ("Nothing is shared until you turn it on here." if not DEFAULT_SHARED else "")
)
st.caption(
    "Always visible to both of you, whatever you choose: meetings and your mentoring agreement (joint records), "
    "the process-step ratings of your pair, and your mentor's ratings of you (you see those)."
)

overview = cached_read(resources, sharing_overview, viewer)
if overview.empty:
    st.info("You have no mentors yet. Your program director pairs you with mentors.")
    st.stop()

with st.form("sharing"):
    choices = {}
    for (mentor_id, mentor, domains, current), rows in overview.groupby(
        ["mentor_id", "mentor", "domains", "current"], sort=False
    ):
        st.markdown(
            f"**{as_text(mentor)}** ({as_text(domains)})" + ("" if current else " · pair ended: you can withdraw, not share anew")
        )
        for row in rows.itertuples():
            since = f" (since {row.chosen_at:%d %b %Y})" if row.shared and row.chosen_at is not None else ""
            choices[(int(mentor_id), row.record_kind)] = st.toggle(
                f"{row.what}{since}",
                value=bool(row.shared),
                key=f"share-{mentor_id}-{row.record_kind}",
                disabled=not current and not row.shared,
            )
    saved = st.form_submit_button("Save my choices", type="primary")

if saved:
    with refusals():
        changed = set_sharing(resources.store, viewer, choices, now(resources.settings))
        st.success(f"Saved: {changed} change{'s' if changed != 1 else ''}." if changed else "Nothing changed.")
