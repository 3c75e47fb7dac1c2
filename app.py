"""Entry point: page config, sign-in, and st.navigation built from the signed-in person's roles."""

import streamlit as st

from analytics.auth import needs_first_director
from analytics.config import Settings, configure_logging
from ui.resources import app_resources
from ui.sign_in import first_director_page, sign_in_page
from ui.viewer import current_viewer
from ui.warmup import preload_element_scripts

st.set_page_config(page_title="Mentorship self-assessment", page_icon="🤝", layout="wide")
configure_logging(Settings.from_environment().log_level)  # before the store opens, so its migrations are logged


EVERYONE, ANSWERS = {"fellow", "mentor", "director"}, {"fellow", "mentor"}
# (section, file in pages/, title, icon, the roles that see it). Each page checks the role again itself.
PAGES = [
    ("", "home.py", "Home", "home", EVERYONE),
    ("Self-assessment", "assessments.py", "Assessments", "edit_note", ANSWERS),
    ("Self-assessment", "progress.py", "My progress", "show_chart", ANSWERS),
    ("Self-assessment", "feedback.py", "Two views", "compare_arrows", ANSWERS),
    ("Mentoring", "mentees.py", "My mentees", "groups", {"mentor"}),
    ("Mentoring", "goals.py", "My goals", "flag", {"fellow"}),
    ("Mentoring", "network.py", "My mentors", "hub", {"fellow"}),
    ("Mentoring", "outputs.py", "My outputs", "article", {"fellow"}),
    ("Mentoring", "meetings.py", "Meetings", "event", ANSWERS),
    ("Mentoring", "agreement.py", "Agreement", "handshake", ANSWERS),
    ("Mentoring", "sharing.py", "What my mentors see", "visibility", {"fellow"}),
    ("Program", "dashboard.py", "Program dashboard", "monitoring", {"director"}),
    ("Program", "people.py", "People", "badge", {"director"}),
    ("Program", "pairs.py", "Mentoring pairs", "group_add", {"director"}),
    ("Program", "backup.py", "Backup", "backup", {"director"}),
    ("Account", "account.py", "My account", "person", EVERYONE),
]


def build_sections(viewer) -> dict[str, list]:
    """The signed-in person's pages by section: only those their roles may open."""
    sections: dict[str, list] = {}
    for section, file, title, icon, roles in PAGES:
        if viewer.roles & roles:
            page = st.Page(f"pages/{file}", title=title, icon=f":material/{icon}:", default=file == "home.py")
            sections.setdefault(section, []).append(page)
    return sections


resources = app_resources()
viewer = current_viewer(resources)

if viewer is None:
    if needs_first_director(resources.store):
        pages = [st.Page(lambda: first_director_page(resources), title="Set up", url_path="setup")]
    else:
        pages = [st.Page(lambda: sign_in_page(resources), title="Sign in", icon=":material/login:", url_path="sign-in")]
else:
    pages = build_sections(viewer)
st.navigation(pages).run()
preload_element_scripts()  # below the page, so it adds no space above it (a page that stops early skips it)
