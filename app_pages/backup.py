"""Backup (directors): the whole database, one consistent snapshot, as a zip to download."""

import streamlit as st

from analytics.backup import backup_file_name, backup_refusal, backup_zip_for
from ui.resources import now
from ui.viewer import require_viewer

resources, viewer = require_viewer("director")
READY_KEY = "backup-ready"

st.title("Backup")
st.write(
    "A backup holds the whole database (every person's answers, sign-in data as password hashes, never passwords) "
    "as one zip of Parquet files, taken as one snapshot: submissions made meanwhile are wholly in it or not at all. "
    "Keep it where only the program's directors can read it."
)
st.caption(
    "Restore it into a new database file with `python -m analytics.backup restore --from FILE.zip --db NEW.duckdb`, "
    "then point MENTORSHIP_DB at that file."
)

refusal = backup_refusal(resources.store, viewer)
if refusal:
    st.info(refusal)
    st.stop()

if st.button("Make a backup now", type="primary", key="make-backup"):
    taken_at = now(resources.settings)
    with st.spinner("Writing the backup..."):
        st.session_state[READY_KEY] = (
            backup_file_name(taken_at),
            backup_zip_for(resources.store, viewer, taken_at),
            viewer.person_id,
        )

ready = st.session_state.get(READY_KEY)
if ready and ready[2] == viewer.person_id:  # only for the director who made it, in this session
    name, data, _ = ready
    st.success(f"Ready: {name} ({len(data) / 1024:,.0f} kB).")
    st.download_button("Download the backup", data, file_name=name, mime="application/zip", key="download-backup")
