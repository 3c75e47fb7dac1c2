"""Entry point: page config, sign-in, and st.navigation built from the signed-in person's roles."""

import streamlit as st

from analytics.auth import needs_first_director
from analytics.config import Settings, configure_logging
from ui.resources import app_resources
from ui.session_cookie import send_to_browser
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
    ("Mentoring", "health.py", "Pair health", "monitor_heart", EVERYONE),
    ("Mentoring", "sharing.py", "What my mentors see", "visibility", {"fellow"}),
    ("Program", "dashboard.py", "Program dashboard", "monitoring", {"director"}),
    ("Program", "people.py", "People", "badge", {"director"}),
    ("Program", "pairs.py", "Mentoring pairs", "group_add", {"director"}),
    ("Program", "settings.py", "Program settings", "settings", {"director"}),
    ("Program", "redcap_import.py", "Import from REDCap", "upload_file", {"director"}),
    ("Program", "backup.py", "Backup", "backup", {"director"}),
    ("Account", "account.py", "My account", "person", EVERYONE),
    ("Account", "help.py", "Help", "help", EVERYONE),
]


def page_of(file: str, title: str, icon: str) -> st.Page:
    return st.Page(f"app_pages/{file}", title=title, icon=f":material/{icon}:", default=file == "home.py")


def build_sections(viewer) -> dict[str, list]:
    """The signed-in person's pages by section: only those their roles may open."""
    sections: dict[str, list] = {}
    for section, file, title, icon, roles in PAGES:
        if viewer.roles & roles:
            sections.setdefault(section, []).append(page_of(file, title, icon))
    return sections


def signed_out_pages() -> list:
    """The sign-in page, at the start address and, hidden, at every page's own address: a bookmark of a
    page shows the sign-in form there, and after signing in that page opens (Home if the roles do not
    allow it), with no "page not found" on the way."""
    sign_in = st.Page(lambda: sign_in_page(resources), title="Sign in", icon=":material/login:", url_path="sign-in")
    addresses = [page_of(file, title, icon).url_path for _, file, title, icon, _ in PAGES]
    return [sign_in] + [
        st.Page(lambda: sign_in_page(resources), title="Sign in", url_path=address, visibility="hidden")
        for address in addresses
        if address  # Home's is the start address, the sign-in page's own
    ]


resources = app_resources()
viewer = current_viewer(resources)
send_to_browser(resources)  # the script that sets or clears the sign-in cookie, when there is one to send

if viewer is None:
    if needs_first_director(resources.store):
        st.navigation([st.Page(lambda: first_director_page(resources), title="Set up", url_path="setup")]).run()
    else:
        st.navigation(signed_out_pages(), position="hidden").run()
else:
    st.navigation(build_sections(viewer)).run()
preload_element_scripts()  # below the page, so it adds no space above it (a page that stops early skips it)
