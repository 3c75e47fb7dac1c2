"""Access, proven on the pages: nobody sees a piece of data the rules keep from them, whichever way they try.

Distinctive "canary" strings are planted in records that the people under test must not see:
- a fellow who shares nothing with their mentor (the demo mentor): a goal, an output, a network entry,
  a comment on their self-assessment, and a comment on their unsigned rating of that mentor;
- a pair neither demo person belongs to: a meeting's agenda, its notes and action item, the agreement.
Then every page runs for every kind of visitor (a fellow, a mentor, a director, a fellow without a pair,
a visitor who has not signed in) with other people's ids in the query string and in the session state
(the keys the pages' own selections use, and a hand-set person id), and everything the page sends to
the browser (every element's data, dataframes and charts included, the bytes of every download, and the text of
the review report's PDF, made as a click makes it)
must hold no canary. The owners themselves see the canaries on their pages, so the scan can fail.

Further: forged, expired and ended sign-in tokens open nothing; a page outside a role's navigation
cannot be reached by its URL path; cached results are never served across sessions; the director's
Excel export holds only suppressed aggregates; passwords are never stored or logged in clear; and
repeated wrong passwords are refused for a while.
"""

import io
import logging
import re
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import agreements, auth, goals, meetings, network, outputs, roster
from analytics.assessments import submit_assessment
from analytics.dashboard_aggregates import SCOPES
from analytics.instruments import load_catalogue
from analytics.people import load_viewer
from analytics.registry import register_catalogue
from analytics.store import Store
from tests.conftest import NOW, TODAY
from tests.pages import conftest as page_fixtures
from tests.pages.conftest import APP, PAGES, TIMEOUT, fill_sign_in, new_app, texts
from tests.pages.test_page_guards import PAGE_ROLES
from tests.robustness.downloads import download_bytes, kept_downloads, pdf_text
from ui.resources import now as app_now

demo_db_for_brake = page_fixtures.demo_db  # a copy of the demo database that the app uses, per test

PAGE_FILES = sorted(path.name for path in PAGES.glob("*.py"))
VISITORS = ("fellow", "mentor", "director", "unpaired fellow", "signed out")
DEMO = {"fellow": "fellow@demo.org", "mentor": "mentor@demo.org", "director": "director@demo.org"}
UNPAIRED = ("Una Unpaired", "una@demo.org", "una's password 1")
GONE = ("Gil Gone", "gil@demo.org", "gil's password 1")


@dataclass
class World:
    path: Path
    ids: dict[str, int]  # people, pairs, meeting and goal ids by role in the story
    tokens: dict[str, str]
    canaries: dict[str, str]  # canary -> who owns it ("private" fellow or the "other pair")

    def hostile_state(self) -> dict:
        """Session state set by hand: the pages' selection keys pointing at other people's records."""
        ids = self.ids
        return {
            "open-mentee": ids["private"],
            "meetings-pair": ids["other_pair"],
            "agreement-pair": ids["other_pair"],
            "process-pair": ids["other_pair"],
            "notes-meeting": ids["other_meeting"],
            "open-goal": ids["private_goal"],
            "person_id": ids["private"],
            "viewer_id": ids["private"],
            "subject_id": ids["private"],
        }

    def hostile_query(self) -> dict[str, str]:
        ids = self.ids
        return {
            "person_id": str(ids["private"]),
            "mentee": str(ids["private"]),
            "mentee_id": str(ids["private"]),
            "pair_id": str(ids["other_pair"]),
            "meeting_id": str(ids["other_meeting"]),
            "goal_id": str(ids["private_goal"]),
            "page": "dashboard",
        }


def _person(store: Store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]


def _plant(store: Store, today: date) -> tuple[dict[str, int], dict[str, str]]:
    catalogue = register_catalogue(store, load_catalogue(), NOW)
    fellow, mentor = _person(store, DEMO["fellow"]), _person(store, DEMO["mentor"])
    # The demo's private fellow: paired with the demo mentor, shares nothing with anyone.
    private = store.query_one(
        """
        SELECT p.mentee_id FROM pairs p WHERE p.mentor_id = ? AND p.ended_on IS NULL AND p.mentee_id <> ?
          AND NOT EXISTS (SELECT 1 FROM sharing_choices s WHERE s.mentee_id = p.mentee_id AND s.shared)
        ORDER BY p.mentee_id LIMIT 1
        """,
        [mentor, fellow],
    )[0]
    other_pair, other_mentor, other_mentee = store.query_one(
        """
        SELECT pair_id, mentor_id, mentee_id FROM pairs
        WHERE ended_on IS NULL AND ? NOT IN (mentor_id, mentee_id) AND ? NOT IN (mentor_id, mentee_id)
          AND mentee_id NOT IN (SELECT mentee_id FROM pairs WHERE mentor_id = ?) AND mentee_id <> ?
        ORDER BY pair_id LIMIT 1
        """,
        [fellow, mentor, mentor, private],
    )
    p, o = load_viewer(store, private), load_viewer(store, other_mentee)
    canaries = {
        "CanaryPrivateGoal": "private",
        "CanaryPrivateOutput": "private",
        "CanaryPrivateNetwork": "private",
        "CanaryPrivateSelfComment": "private",
        "CanaryPrivateCommentOnMentor": "private",
        "CanaryOtherAgenda": "other",
        "CanaryOtherNotes": "other",
        "CanaryOtherAction": "other",
        "CanaryOtherAgreement": "other",
    }
    private_goal = goals.create_goal(
        store, p, "CanaryPrivateGoal", "research", "percent", 100, today + timedelta(days=20), today, NOW
    )
    goals.add_checkin(store, p, private_goal, 40, today, "halfway", today, NOW)
    outputs.log_output(store, p, "abstract", "CanaryPrivateOutput", today - timedelta(days=3), today, NOW)
    network.add_to_network(store, p, ["social"], NOW, mentor_name="CanaryPrivateNetwork")
    for instrument_id, subject, pair, comment in (
        ("mentee-self", private, None, "CanaryPrivateSelfComment"),
        ("mentor-by-mentee", mentor, _pair(store, mentor, private), "CanaryPrivateCommentOnMentor"),
    ):
        items = [item.id for item in catalogue.get(instrument_id).items]
        submit_assessment(
            store,
            catalogue,
            p,
            instrument_id,
            dict.fromkeys(items, 2),
            today=today,
            now=NOW,
            submission_key=f"canary-{instrument_id}",
            comment=comment,
            subject_id=subject,
            pair_id=pair,
        )
    meeting = meetings.plan_meeting(store, o, other_pair, today - timedelta(days=3), ["CanaryOtherAgenda"], today, NOW)
    meetings.record_notes(
        store,
        o,
        meeting,
        True,
        "CanaryOtherNotes",
        [{"text": "CanaryOtherAction", "owner_id": other_mentee, "due_on": today + timedelta(days=9)}],
        today,
        NOW,
    )
    agreements.record_agreement(
        store,
        o,
        other_pair,
        4,
        "CanaryOtherAgreement",
        "a day",
        "ideas",
        "drafts",
        "all of it",
        today + timedelta(days=90),
        today,
        NOW,
    )
    ids = {
        "fellow": fellow,
        "mentor": mentor,
        "private": private,
        "private_goal": private_goal,
        "other_pair": other_pair,
        "other_mentor": other_mentor,
        "other_mentee": other_mentee,
        "other_meeting": meeting,
    }
    return ids, canaries


def _pair(store: Store, mentor: int, mentee: int) -> int:
    return store.query_one(
        "SELECT pair_id FROM pairs WHERE mentor_id = ? AND mentee_id = ? AND ended_on IS NULL", [mentor, mentee]
    )[0]


@pytest.fixture(scope="module")
def world(tmp_path_factory, demo_template):
    path = tmp_path_factory.mktemp("access") / "demo.duckdb"
    shutil.copy(demo_template, path)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MENTORSHIP_DB", str(path))
        env.setenv("MENTORSHIP_DEMO", "1")
        env.setenv("MENTORSHIP_TODAY", TODAY.isoformat())
        env.setenv("MENTORSHIP_PROGRAM_INSTRUMENTS", str(path.parent / "program-instruments"))
        with Store(path) as store:
            ids, canaries = _plant(store, TODAY)
            director = load_viewer(store, _person(store, DEMO["director"]))
            cohort = store.query_one("SELECT min(cohort_id) FROM cohorts")[0]
            ids["unpaired"] = roster.add_person(
                store, director, UNPAIRED[0], UNPAIRED[1], ["fellow"], cohort, NOW, password=UNPAIRED[2]
            )
            now = datetime.now()
            tokens = {role: auth.sign_in(store, email, "demo", now) for role, email in DEMO.items()}
            tokens["unpaired fellow"] = auth.sign_in(store, UNPAIRED[1], UNPAIRED[2], now)
            tokens["private"] = auth.sign_in(
                store, store.query_one("SELECT email FROM people WHERE person_id = ?", [ids["private"]])[0], "demo", now
            )
            other_email = store.query_one("SELECT email FROM people WHERE person_id = ?", [ids["other_mentee"]])[0]
            tokens["other"] = auth.sign_in(store, other_email, "demo", now)
        yield World(path, ids, tokens, canaries)
        st.cache_resource.clear()
        st.cache_data.clear()


def everything_sent(at: AppTest) -> str:
    """All a page sent to the browser: every element's message (text, options, values, dataframes,
    chart specs) and the decoded bytes of every download button."""
    parts = [messages_sent(at)]
    for button in at.get("download_button"):
        data = download_bytes(button)
        if data[:5] == b"%PDF-":  # the review report: its text as selected (the stored streams are compressed)
            parts.append(pdf_text(data))
        elif data[:2] == b"PK":  # a zip (xlsx): every member's text
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
        else:
            parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


def messages_sent(at: AppTest) -> str:
    """Every element's message as text: labels, options, values, markdown, dataframe and chart data."""
    return "\n".join(str(node.proto) for node in at._tree if getattr(node, "proto", None) is not None)


def run_page(world: World, page: str, visitor: str, hostile: bool = True) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    if visitor in world.tokens:
        at.session_state[auth_key()] = world.tokens[visitor]
    if hostile:
        for key, value in world.hostile_state().items():
            at.session_state[key] = value
        for key, value in world.hostile_query().items():
            at.query_params[key] = value
    return at.run()


def auth_key() -> str:
    from ui.viewer import TOKEN_KEY

    return TOKEN_KEY


def allowed(visitor: str, page: str) -> bool:
    role = {"unpaired fellow": "fellow", "signed out": None}.get(visitor, visitor)
    return role in PAGE_ROLES[page]


@pytest.mark.parametrize("page", PAGE_FILES)
@pytest.mark.parametrize("visitor", VISITORS)
def test_no_page_shows_anyone_what_they_must_not_see(world, monkeypatch, page, visitor):
    with kept_downloads(monkeypatch):
        at = run_page(world, page, visitor)
        assert not at.exception, at.exception
        sent = everything_sent(at)
    leaked = [canary for canary in world.canaries if canary in sent]
    assert not leaked, f"{visitor} on {page} was sent {leaked}"
    assert ("This page is not available" in texts(at)) is not allowed(visitor, page)


def test_the_owners_see_their_canaries_so_the_scan_can_fail(world, monkeypatch):
    seen = set()
    with kept_downloads(monkeypatch):
        owners = (
            ("private", ("goals.py", "outputs.py", "network.py", "progress.py")),
            ("other", ("meetings.py", "agreement.py")),
        )
        for owner, pages in owners:  # progress.py: the private fellow's own review report (PDF) holds their canaries
            for page in pages:
                at = run_page(world, page, owner, hostile=False)
                if page == "meetings.py":  # the meeting with the notes: pick it in the notes form
                    at.selectbox(key="meetings-pair").select(world.ids["other_pair"]).run()
                sent = everything_sent(at)
                seen |= {canary for canary in world.canaries if canary in sent}
                if page == "progress.py":  # the review report's PDF is scanned as its text
                    assert "CanaryPrivateGoal" in sent and "CanaryPrivateOutput" in sent
    # Comments are never shown on a page (not even to their writer), so they cannot be seen anywhere.
    shown_somewhere = {c for c in world.canaries if "Comment" not in c}
    assert seen == shown_somewhere


def test_the_mentor_sees_no_self_rating_or_goals_of_a_mentee_who_shares_nothing(world):
    at = run_page(world, "mentees.py", "mentor", hostile=False)
    with Store(world.path) as store:
        name = store.query_one("SELECT full_name FROM people WHERE person_id = ?", [world.ids["private"]])[0]
    table = next(frame.value for frame in at.dataframe if "mentee" in frame.value.columns)
    row = table[table["mentee"] == name].iloc[0]
    assert row["shares"] == "not shared"
    assert pd.isna(row["self_latest"]) and pd.isna(row["goals_behind"])
    at.selectbox(key="open-mentee").select(world.ids["private"]).run()
    assert f"{name} does not share their self-assessments with you." in texts(at)
    assert not at.exception
    views = [frame.value for frame in at.dataframe if "view" in frame.value.columns]
    assert views, "the mentor's own ratings of the mentee are shown"
    assert all(set(frame["view"]) == {f"Mentor: {world_mentor_name(world)}"} for frame in views)  # their own view only


def world_mentor_name(world: World) -> str:
    with Store(world.path) as store:
        return store.query_one("SELECT full_name FROM people WHERE person_id = ?", [world.ids["mentor"]])[0]


# ---------------------------------------------------------------- tokens set by hand


def _token_kinds(world: World) -> dict[str, object]:
    now = app_now()  # the app's clock: on the pinned day, "expired" means expired there
    with Store(world.path) as store:
        ended = auth.sign_in(store, DEMO["fellow"], "demo", now)
        auth.sign_out(store, ended, now)
        expired = auth.open_session(store, world.ids["fellow"], now - auth.SESSION_LIFETIME - timedelta(minutes=1))
        director = load_viewer(store, _person(store, DEMO["director"]))
        cohort = store.query_one("SELECT min(cohort_id) FROM cohorts")[0]
        gone = roster.add_person(store, director, GONE[0], GONE[1], ["fellow"], cohort, NOW, password=GONE[2])
        deactivated = auth.sign_in(store, GONE[1], GONE[2], now)
        roster.deactivate_person(store, director, gone, now, TODAY)
    return {
        "forged": secrets.token_urlsafe(32),
        "expired": expired,
        "ended by signing out": ended,
        "of a deactivated person": deactivated,
        "a person id": world.ids["fellow"],
        "a token's hash": auth._digest(world.tokens["director"]),
        "not a string": {"person_id": world.ids["fellow"]},
    }


def test_forged_and_stale_tokens_open_nothing(world):
    """Every kind of bad token, on the entry page and the pages with the most personal data (every page
    runs the same guard, which tests/pages/test_page_guards.py runs on each with an ended token)."""
    kinds = _token_kinds(world)
    for page in ("app.py", "home.py", "mentees.py", "dashboard.py"):
        for kind, token in kinds.items():
            at = AppTest.from_file(APP if page == "app.py" else str(PAGES / page), default_timeout=TIMEOUT)
            at.session_state[auth_key()] = token
            at.run()
            assert not at.exception, (page, kind)
            shown = texts(at)
            if page == "app.py":
                assert any(button.label == "Sign in" for button in at.button), kind  # the sign-in page
            else:
                assert "This page is not available" in shown, (page, kind)
            assert "Welcome" not in shown, (page, kind)
            assert not any(len(at.get(k)) for k in ("dataframe", "plotly_chart", "metric", "download_button")), (page, kind)
            assert auth_key() not in at.session_state, (page, kind)  # forgotten, not retried


def test_a_page_outside_a_role_cannot_be_reached_by_its_url_path(world):
    for role in DEMO:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.session_state[auth_key()] = world.tokens[role]
        at.run()
        for page in PAGE_FILES:
            if role not in PAGE_ROLES[page]:
                with pytest.raises(ValueError, match="Could not find a navigation page"):
                    at.switch_page(f"app_pages/{page}")
        mine = next(page for page in PAGE_FILES if role in PAGE_ROLES[page] and page != "home.py")
        at.switch_page(f"app_pages/{mine}").run()  # the check itself works: an allowed page opens
        assert not at.exception and "This page is not available" not in texts(at)


def test_no_page_reads_the_query_string():
    """Query parameters cannot select anyone's data because no page or ui helper reads them."""
    sources = [*PAGES.glob("*.py"), *(PAGES.parent / "ui").glob("*.py"), PAGES.parent / "app.py"]
    assert [path.name for path in sources if "query_params" in path.read_text(encoding="utf-8")] == []


# ---------------------------------------------------------------- cached results shared by sessions


FELLOW_PAGES = ("home.py", "progress.py", "feedback.py", "goals.py", "meetings.py", "agreement.py")
OTHERS_PAGES = {
    "director": ("home.py", "dashboard.py"),
    "mentor": ("home.py", "progress.py", "feedback.py", "mentees.py", "meetings.py", "agreement.py"),
}


def _fellow_sees(world: World) -> list[str]:
    shown = []
    for page in FELLOW_PAGES:
        at = run_page(world, page, "fellow", hostile=False)
        assert not at.exception
        # A deferred download (the review report) gets a new random id on every run: not something sent about anyone.
        shown.append(re.sub(r'deferred_file_id: "\w+"', "deferred_file_id", messages_sent(at)))
    return shown


def test_cached_results_are_never_served_to_another_session(world):
    """The director and the fellow's mentor use the app (the dashboard; the mentor's review of this very
    fellow); the fellow, in the same process afterwards, is sent exactly what a fresh process sends them."""
    st.cache_data.clear()
    alone = _fellow_sees(world)
    st.cache_data.clear()
    for visitor, pages in OTHERS_PAGES.items():
        for page in pages:
            at = run_page(world, page, visitor, hostile=False)
            if page == "mentees.py":
                at.selectbox(key="open-mentee").select(world.ids["fellow"]).run()
            assert not at.exception, (visitor, page)
    after = _fellow_sees(world)
    for page, before, now in zip(FELLOW_PAGES, alone, after, strict=True):
        assert now == before, f"{page}: the fellow was sent something else once others had used the app"


# ---------------------------------------------------------------- the director's Excel export


# Columns that name a cell (period, group, item) or give its group's size; every other column is a value.
CELL_KEYS = {"period", "period_start", "role", "cohort", "cohort_id", "is_total", "instrument_id", "respondent", "unit"}
CELL_KEYS |= {"item_id", "step", "quote", "category", "meetings", "month", "kind", "item", "instrument", "side"}
SIZES = {"n", "active", "expected", "self_n", "mentor_n", "mentee_n"}
ADMINISTRATION = {"name", "role", "cohort", "instrument", "email"}  # who is overdue: names, never ratings
# Who submitted, shown in full (analytics/disclosure.py): counts and rates of submission, never a rating.
PARTICIPATION = {SCOPES["participation"][0], SCOPES["participation_by_instrument"][0]}
SUBMISSIONS = {"submitted", "completion_rate"}


def test_the_directors_excel_holds_only_suppressed_aggregates(world, monkeypatch):
    with kept_downloads(monkeypatch):
        at = run_page(world, "dashboard.py", "director", hostile=False)
        data = download_bytes(next(b for b in at.get("download_button") if b.proto.label == "Download all tables (Excel)"))
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    with Store(world.path) as store:
        minimum = store.query_one("SELECT min_group_size FROM programs")[0]
        names = {row[0] for row in store.query_all("SELECT full_name FROM people")}
        comments = {row[0] for row in store.query_all("SELECT comment FROM assessments WHERE comment IS NOT NULL")}
    assert len(sheets) > 5 and comments
    hidden_cells = 0
    for sheet, frame in sheets.items():
        cells = {str(value) for value in frame.astype(str).to_numpy().ravel()}
        assert not cells & comments, sheet  # free text never reaches an aggregate
        if sheet == "About":  # the program, the filters and the rule, in words
            assert not cells & names, sheet
            continue
        if sheet == SCOPES["overdue"][0]:
            assert set(frame.columns) <= ADMINISTRATION, sheet
            continue
        assert not cells & names, sheet
        if sheet in PARTICIPATION:
            assert set(frame.columns) <= CELL_KEYS | SIZES | SUBMISSIONS, sheet
            continue
        if "cumulative" in frame:
            # A running total of the published counts only: a hidden period adds nothing, so its total
            # (the one before it) is no value of its own.
            running = frame["added"].fillna(0).groupby(frame["kind"], sort=False).cumsum()
            assert (frame["cumulative"] == running).all(), f"{sheet}: the running total counts a hidden cell"
            frame = frame.drop(columns=["cumulative"])
        flags = [c for c in frame.columns if c.endswith("suppressed")]
        assert flags, f"{sheet} has no suppression"
        sides = {flag.removesuffix("suppressed") for flag in flags} - {""}
        for flag in flags:
            side = flag.removesuffix("suppressed")
            values = [
                c
                for c in frame.columns
                if c not in CELL_KEYS | SIZES
                and not c.endswith("suppressed")
                and (c.startswith(side) if side else not any(c.startswith(s) for s in sides))
            ]
            hidden = frame[frame[flag].astype(bool)]
            hidden_cells += hidden[values].size
            assert hidden[values].isna().all().all(), f"{sheet}: a hidden cell ({flag}) shows a value"
            size = next((c for c in (f"{side}n", "n", "active") if c in frame.columns), None)
            if size:
                shown = frame[~frame[flag].astype(bool)]
                small = shown[shown[size] < minimum]
                # Under the minimum, only a cell of nobody may show (a kind of output nobody logged: 0).
                nobody = (small[size] == 0).all() and small[values].fillna(0).eq(0).all().all()
                assert nobody, f"{sheet}: a group under {minimum} is shown ({flag})"
    assert hidden_cells, "the demo program has a small cohort: some cells must be hidden"


# ---------------------------------------------------------------- passwords


class _Everything(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record) + repr(record.args))


def _text_in_every_column(store: Store) -> str:
    parts = []
    for table, column in store.query_all(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal"
    ):
        values = store.query_all(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{table}"')
        parts += [str(v[0]) for v in values]
    return "\n".join(parts)


def test_passwords_are_never_stored_or_logged_in_clear(tmp_path, monkeypatch, capfd):
    """The first director signs up, changes their password and gives someone a first password; none of
    the three is in any column of any table, nor in any log line or output; the accounts hold argon2 hashes."""
    first, second, given = "Sign-up pass 7f3a", "Changed pass 9c1e", "Given pass 4b2d"
    path = tmp_path / "new.duckdb"
    monkeypatch.setenv("MENTORSHIP_DB", str(path))
    monkeypatch.delenv("MENTORSHIP_DEMO", raising=False)
    monkeypatch.setenv("MENTORSHIP_PROGRAM_INSTRUMENTS", str(tmp_path / "none"))
    handler = _Everything()
    watched = [logging.getLogger(), logging.getLogger("streamlit"), logging.getLogger("duckdb")]
    levels = [logger.level for logger in watched]
    for logger in watched:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        at = new_app().run()
        inputs = {widget.label: widget for widget in at.text_input}
        inputs["Program name"].input("Test Program")
        inputs["Your name"].input("Pat Director")
        inputs["Your email"].input("pat@example.org")
        next(w for w in at.text_input if w.label.startswith("Password (at least")).input(first)
        inputs["Password again"].input(first)
        next(b for b in at.button if b.label == "Create program").click()
        at.run()
        assert "Welcome, Pat Director" in texts(at)
        at.switch_page("app_pages/account.py").run()
        fields = {widget.label: widget for widget in at.text_input}
        fields["Current password"].input(first)
        next(w for w in at.text_input if w.label.startswith("New password (at least")).input(second)
        fields["New password again"].input(second)
        next(b for b in at.button if b.label == "Change password").click()
        at.run()
        assert "Your password is changed" in texts(at)
        with Store(path) as store:
            director = load_viewer(store, _person(store, "pat@example.org"))
            roster.add_person(store, director, "Ann Mentor", "ann@example.org", ["mentor"], None, NOW, password=given)
            stored = _text_in_every_column(store)
            hashes = [row[0] for row in store.query_all("SELECT password_hash FROM accounts")]
        # Signing in with each password that should work, and one wrong one, also logs nothing.
        signed = fill_sign_in(new_app().run(), "ann@example.org", given)
        assert "Welcome, Ann Mentor" in texts(signed)
        fill_sign_in(new_app().run(), "pat@example.org", first)  # the old one: refused
    finally:
        for logger, level in zip(watched, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
        st.cache_resource.clear()
        st.cache_data.clear()
    out, err = capfd.readouterr()
    logged = "\n".join(handler.lines) + out + err
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    for password in (first, second, given):
        assert password not in stored
        assert password not in logged
    assert handler.lines, "nothing was logged at all: the check would prove nothing"


# ---------------------------------------------------------------- the brake on guessing


PROMISED_FAILURES, PROMISED_WINDOW = 5, timedelta(minutes=15)  # the README's promise, not the code's constants


def test_repeated_wrong_passwords_are_refused_for_a_while(demo_db_for_brake):
    at = new_app().run()
    for _ in range(PROMISED_FAILURES):
        fill_sign_in(at, "mentor@demo.org", "not the password")
        assert auth.WRONG in texts(at)
    fill_sign_in(at, "mentor@demo.org", "demo")  # the right password, too late
    assert "Too many failed attempts" in texts(at)
    assert "Welcome" not in texts(at)
    # Another person is not held up; the brake is per email.
    other = fill_sign_in(new_app().run(), "fellow@demo.org", "demo")
    assert "Welcome" in texts(other)


def test_the_brake_lets_go_after_its_window(demo_db_for_brake):
    path = demo_db_for_brake
    long_ago = app_now() - PROMISED_WINDOW - timedelta(minutes=1)  # on the app's clock
    with Store(path) as store:
        store.write(
            lambda cur: cur.executemany(
                "INSERT INTO sign_in_failures VALUES (?, ?)", [["mentor@demo.org", long_ago]] * (PROMISED_FAILURES + 3)
            )
        )
    at = fill_sign_in(new_app().run(), "MENTOR@demo.org ", "demo")
    assert "Welcome" in texts(at)


# ---------------------------------------------------------------- files built on request: calendar, my data, reminders


PREPARED = {
    "account.py": ("Prepare my calendar (.ics)", "Prepare my data (.zip)"),
    "dashboard.py": ("Prepare the reminder list (CSV)",),
}


def prepared_files_sent(world: World, page: str, visitor: str, hostile: bool = True) -> str:
    """Everything the page sent once each of its Prepare buttons was pressed: every download's bytes, a zip's
    every member (the my-data zip's every CSV and its README) included."""
    at = run_page(world, page, visitor, hostile=hostile)
    sent = [everything_sent(at)]
    for label in PREPARED[page]:
        buttons = [button for button in at.button if button.label == label]
        if not buttons:  # a page this visitor may not open offers nothing to prepare
            assert "This page is not available" in texts(at), (visitor, page, label)
            continue
        buttons[0].click()
        at.run()
        assert not at.exception, at.exception
        assert len(at.get("download_button")), (visitor, page, label)
        sent.append(everything_sent(at))
    return "\n".join(sent)


@pytest.mark.parametrize("page", sorted(PREPARED))
@pytest.mark.parametrize("visitor", VISITORS)
def test_no_prepared_file_holds_what_its_downloader_must_not_see(world, monkeypatch, page, visitor):
    with kept_downloads(monkeypatch):
        sent = prepared_files_sent(world, page, visitor)
    leaked = [canary for canary in world.canaries if canary in sent]
    assert not leaked, f"{visitor}'s files from {page} hold {leaked}"


def test_the_owners_find_every_canary_in_their_own_data_so_the_scan_can_fail(world, monkeypatch):
    """The private fellow's zip holds all of their canaries (their own comments too: their entries); the other
    pair's fellow's holds the pair's agenda, notes, action item and agreement, and the calendar its agenda."""
    with kept_downloads(monkeypatch):
        private = prepared_files_sent(world, "account.py", "private", hostile=False)
        other = prepared_files_sent(world, "account.py", "other", hostile=False)
    assert {c for c in world.canaries if c in private} == {c for c, owner in world.canaries.items() if owner == "private"}
    assert {c for c in world.canaries if c in other} == {c for c, owner in world.canaries.items() if owner == "other"}
