"""Load: writers in threads and two signed-in app sessions at once, all through the app's own write path.

Ten writer threads (assessments, double clicks racing on one submission key, goal check-ins, two
threads changing the status of one goal, meetings with notes, two threads flipping the same
sharing choice) and two AppTest sessions submitting through the assessment form share the app's
own store (the one `ui.resources` caches), while a reader checks every snapshot. Afterwards:
every acknowledged write is in the database exactly once, no call raised anything but a refusal
meant for a person (an InputError such as "The goal is already paused"), and the readers never
saw an assessment without all its responses or a count going down.
"""

import random
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

from streamlit.testing.v1 import AppTest

from analytics.assessments import submit_assessment
from analytics.errors import InputError
from analytics.goals import _NEXT_STATUSES, add_checkin, change_status, create_goal
from analytics.meetings import plan_meeting, record_notes
from analytics.people import load_viewer
from analytics.sharing import set_sharing, sharing_overview
from tests.conftest import TODAY
from tests.pages.conftest import as_read, demo_db, open_assessment, signed_in, submit_opened  # noqa: F401 - demo_db is a fixture
from ui.resources import app_resources

ROUNDS = 12  # writes per thread
APP_SUBMISSIONS = 3  # submissions per AppTest session
COUNTED = ("assessments", "responses", "goal_checkins", "goal_status_changes", "meetings", "meeting_notes", "sharing_choices")


class Load:
    """What the threads were told was stored, and what went wrong."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged: dict[str, list] = {}
        self.refused: Counter = Counter()
        self.errors: list[str] = []
        self.done = threading.Event()

    def ack(self, kind: str, value) -> None:
        with self.lock:
            self.acknowledged.setdefault(kind, []).append(value)

    def run(self, name: str, body, *args) -> threading.Thread:
        def guarded():
            try:
                body(*args)
            except BaseException as error:  # noqa: BLE001 - every failure is reported, none is lost
                with self.lock:
                    self.errors.append(f"{name}: {type(error).__name__}: {error}")

        thread = threading.Thread(target=guarded, name=name)
        thread.start()
        return thread


def ratings(catalogue, instrument_id: str, rng: random.Random) -> dict[str, int]:
    instrument = catalogue.get(instrument_id)
    return {item.id: rng.randint(instrument.min_rating, instrument.max_rating) for item in instrument.items}


def new_goal(store, owner, title: str) -> int:
    return create_goal(store, owner, title, "research", "percent", None, TODAY + timedelta(days=200), TODAY, datetime.now())


def table_counts(store) -> dict[str, int]:
    return dict(zip(COUNTED, store.query_one("SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in COUNTED)), strict=True))


def person_id(store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = ?", [email])[0]


def fellows_with_pairs(store, exclude: set[int]) -> list[int]:
    rows = store.query_all(
        """
        SELECT p.person_id FROM people p JOIN person_roles r USING (person_id)
        WHERE r.role = 'fellow' AND p.active
          AND p.person_id IN (SELECT mentee_id FROM pairs WHERE ended_on IS NULL AND started_on <= ?)
          AND p.person_id NOT IN (SELECT person_id FROM person_roles WHERE role <> 'fellow')
        ORDER BY p.person_id
        """,
        [TODAY],
    )
    return [row[0] for row in rows if row[0] not in exclude]


# ---------------------------------------------------------------- the writers


def assessments_of(load: Load, store, catalogue, viewer, seed: int) -> None:
    """A fellow submits self-assessments; every third one is clicked twice (the same key again)."""
    rng = random.Random(seed)
    for number in range(ROUNDS):
        key = f"load-{viewer.person_id}-{number}"
        submitted = submit_assessment(
            store, catalogue, viewer, "mentee-self", ratings(catalogue, "mentee-self", rng),
            today=TODAY, now=datetime.now(), submission_key=key, comment=f"load {key}",
        )  # fmt: skip
        assert not submitted.duplicate, key
        load.ack("assessment", (key, submitted.assessment_id))
        if number % 3 == 0:
            again = submit_assessment(
                store, catalogue, viewer, "mentee-self", ratings(catalogue, "mentee-self", rng),
                today=TODAY, now=datetime.now(), submission_key=key,
            )  # fmt: skip
            assert again == type(submitted)(submitted.assessment_id, duplicate=True), key


def double_clicks(load: Load, store, catalogue, viewer, seed: int, start: threading.Barrier) -> None:
    """Two threads submit the same keys at the same moments: each key is one assessment."""
    rng = random.Random(seed)
    for number in range(ROUNDS):
        key = f"double-{viewer.person_id}-{number}"
        start.wait(timeout=60)
        submitted = submit_assessment(
            store, catalogue, viewer, "mentee-self", ratings(catalogue, "mentee-self", rng),
            today=TODAY, now=datetime.now(), submission_key=key,
        )  # fmt: skip
        load.ack("double", (key, submitted.assessment_id, submitted.duplicate))


def checkins_of(load: Load, store, viewer, goal_id: int) -> None:
    for number in range(1, ROUNDS + 1):
        note = f"load check-in {goal_id}-{number}"
        add_checkin(store, viewer, goal_id, number * 5, TODAY, note, TODAY, datetime.now())
        load.ack("checkin", note)


def status_changes(load: Load, store, viewer, goal_id: int, name: str, seed: int) -> None:
    """Two of these run on one goal: each wants it paused, then active again, and so on."""
    rng = random.Random(seed)
    for number in range(ROUNDS * 2):
        status = ("paused", "active")[number % 2]
        note = f"load status {name}-{number}"
        try:
            change_status(store, viewer, goal_id, status, note, TODAY, datetime.now())
        except InputError as refusal:  # the other thread got there first: a refusal shown to a person
            assert "already" in str(refusal), refusal
            with load.lock:
                load.refused["status"] += 1
            continue
        load.ack("status", note)
        time.sleep(rng.random() / 500)


def meetings_of(load: Load, store, viewer, pair_id: int, owner_id: int) -> None:
    for number in range(ROUNDS // 2):
        meeting_id = plan_meeting(store, viewer, pair_id, TODAY, [f"agenda {number}", "second point"], TODAY, datetime.now())
        notes = f"load notes {viewer.person_id}-{number}"
        action = {"text": f"load action {viewer.person_id}-{number}", "owner_id": owner_id, "due_on": None}
        record_notes(store, viewer, meeting_id, True, notes, [action], TODAY, datetime.now())
        load.ack("meeting", (meeting_id, notes, action["text"]))


def sharing_flips(load: Load, store, viewer, mentor_id: int, seed: int) -> None:
    """Two of these flip the same choice (one mentor, self-assessments) of one fellow."""
    rng = random.Random(seed)
    for _ in range(ROUNDS):
        changed = set_sharing(store, viewer, {(mentor_id, "self_assessments"): rng.random() < 0.5}, datetime.now())
        load.ack("sharing", changed)


def reader(load: Load, store, items: dict[tuple[str, int], int], seen: list) -> None:
    """Each check is one statement, so one snapshot: complete assessments, and counts that only grow."""
    counts_sql = ", ".join(f"(SELECT count(*) FROM {table})" for table in COUNTED)
    last = None
    while True:
        finished = load.done.is_set()
        per_assessment = store.query_all(
            """
            SELECT a.assessment_id, a.instrument_id, a.instrument_version, count(r.item_id)
            FROM assessments a LEFT JOIN responses r USING (assessment_id) GROUP BY ALL
            """
        )
        incomplete = [row for row in per_assessment if row[3] != items[(row[1], row[2])]]
        assert not incomplete, f"assessments without all their responses: {incomplete[:3]}"
        orphans = store.query_one("SELECT count(*) FROM responses r ANTI JOIN assessments a USING (assessment_id)")[0]
        assert orphans == 0, f"{orphans} responses without their assessment"
        counts = store.query_one(f"SELECT {counts_sql}")
        if last is not None:
            went_down = [name for name, now, before in zip(COUNTED, counts, last, strict=True) if now < before]
            assert not went_down, f"counts went down: {went_down}"
        last = counts
        seen.append(counts)
        if finished:
            return


def app_session(load: Load, email: str, instrument_id: str, prefix: str) -> None:
    """A person signed in through the sign-in form submits the self-assessment form several times."""
    at = signed_in(email)
    at.switch_page("app_pages/assessments.py").run()
    for round_number in range(APP_SUBMISSIONS):
        open_assessment(at, prefix)  # open at first as the first one to do; open again to correct it
        for radio in at.radio:
            if radio.key.startswith(f"{instrument_id}:"):
                radio.set_value(1 + round_number)  # new ratings: a correction, not a double click
        submit_opened(at, prefix)
        assert not at.exception, at.exception
        assert not at.error, [element.value for element in at.error]
        saved = [element.value for element in at.success if as_read(element.value).startswith("Saved:")]
        assert saved, f"{email}: no confirmation after submit {round_number}"
        load.ack(f"app:{email}", round_number + 1)


# ---------------------------------------------------------------- the test


def test_concurrent_writers_and_app_sessions_lose_nothing_and_readers_see_whole_writes(demo_db, monkeypatch):  # noqa: F811
    # AppTest sets the process-wide Runtime instance for the length of a run and clears it after, so two
    # AppTests cannot run a script at the same instant: the two sessions interleave run by run, while the
    # writer threads write on.
    one_run_at_a_time, run = threading.Lock(), AppTest._run

    def run_alone(self, *args, **kwargs):
        with one_run_at_a_time:
            return run(self, *args, **kwargs)

    monkeypatch.setattr(AppTest, "_run", run_alone)
    resources = app_resources()  # the app's own store: the AppTest sessions below use this very object
    store, catalogue = resources.store, resources.catalogue
    items = {(instrument.id, instrument.version): len(instrument.items) for instrument in catalogue.instruments}
    fellow = person_id(store, "fellow@demo.org")
    others = fellows_with_pairs(store, exclude={fellow})
    assert len(others) >= 7, others
    viewers = {pid: load_viewer(store, pid) for pid in others}
    start_counts = table_counts(store)
    app_people = {email: person_id(store, email) for email in ("fellow@demo.org", "mentor@demo.org")}
    app_before = {
        email: store.query_one("SELECT count(*) FROM assessments WHERE respondent_id = ?", [pid])[0]
        for email, pid in app_people.items()
    }

    goal_owner_a, goal_owner_b, status_owner = (viewers[others[i]] for i in (3, 4, 5))
    checkin_goals = {owner.person_id: new_goal(store, owner, "Load goal") for owner in (goal_owner_a, goal_owner_b)}
    status_goal = new_goal(store, status_owner, "Contested goal")
    pairs = store.query_all(
        "SELECT pair_id, mentor_id, mentee_id FROM pairs WHERE ended_on IS NULL AND mentee_id = ? ORDER BY pair_id", [others[6]]
    )
    pair_id, pair_mentor, pair_mentee = pairs[0]
    sharer = viewers[others[0]]
    shared_mentor = int(sharing_overview(store, sharer)["mentor_id"].iloc[0])
    retries_before = store.write_retries

    load = Load()
    barrier = threading.Barrier(2)
    writers = [
        load.run("assess-1", assessments_of, load, store, catalogue, viewers[others[1]], 1),
        load.run("assess-2", assessments_of, load, store, catalogue, viewers[others[2]], 2),
        load.run("double-a", double_clicks, load, store, catalogue, viewers[others[7 % len(others)]], 3, barrier),
        load.run("double-b", double_clicks, load, store, catalogue, viewers[others[7 % len(others)]], 4, barrier),
        load.run("checkin-a", checkins_of, load, store, goal_owner_a, checkin_goals[goal_owner_a.person_id]),
        load.run("checkin-b", checkins_of, load, store, goal_owner_b, checkin_goals[goal_owner_b.person_id]),
        load.run("status-a", status_changes, load, store, status_owner, status_goal, "a", 5),
        load.run("status-b", status_changes, load, store, status_owner, status_goal, "b", 6),
        load.run("meetings-mentee", meetings_of, load, store, viewers[pair_mentee], pair_id, pair_mentee),
        load.run("meetings-mentor", meetings_of, load, store, load_viewer(store, pair_mentor), pair_id, pair_mentor),
        load.run("share-a", sharing_flips, load, store, sharer, shared_mentor, 7),
        load.run("share-b", sharing_flips, load, store, sharer, shared_mentor, 8),
        load.run("app-fellow", app_session, load, "fellow@demo.org", "mentee-self", "Good-mentee qualities: my self"),
        load.run("app-mentor", app_session, load, "mentor@demo.org", "mentor-self", "Good-mentor qualities: my self"),
    ]
    snapshots: list = []
    readers = [load.run(f"reader-{n}", reader, load, store, items, snapshots) for n in range(2)]
    for thread in writers:
        thread.join(timeout=120)
    load.done.set()
    for thread in readers:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in writers + readers), "a thread is stuck"
    assert load.errors == []
    assert len(snapshots) >= 10, "the readers hardly ran during the load"

    acknowledged = load.acknowledged
    # Assessments: each acknowledged key is one assessment, with the id the writer was given.
    for key, assessment_id in acknowledged["assessment"]:
        assert store.query_all("SELECT assessment_id FROM assessments WHERE submission_key = ?", [key]) == [(assessment_id,)]
    assert len(acknowledged["assessment"]) == 2 * ROUNDS
    # Double clicks: both threads were given the same assessment, stored once, and one of them was told "duplicate".
    by_key: dict[str, list] = {}
    for key, assessment_id, duplicate in acknowledged["double"]:
        by_key.setdefault(key, []).append((assessment_id, duplicate))
    assert len(by_key) == ROUNDS
    for key, answers in by_key.items():
        assert len({assessment_id for assessment_id, _ in answers}) == 1, (key, answers)
        assert sorted(duplicate for _, duplicate in answers) == [False, True], (key, answers)
        assert store.query_one("SELECT count(*) FROM assessments WHERE submission_key = ?", [key])[0] == 1
    # The app sessions: one assessment per confirmation shown.
    for email, pid in app_people.items():
        shown = len(acknowledged[f"app:{email}"])
        assert shown == APP_SUBMISSIONS
        stored = store.query_one("SELECT count(*) FROM assessments WHERE respondent_id = ?", [pid])[0]
        assert stored == app_before[email] + shown, email
    # Check-ins: each acknowledged one exactly once.
    for note in acknowledged["checkin"]:
        assert store.query_one("SELECT count(*) FROM goal_checkins WHERE note = ?", [note])[0] == 1, note
    assert len(acknowledged["checkin"]) == 2 * ROUNDS
    # Status changes: each acknowledged one exactly once, refusals left nothing, and the history as the app
    # reads it is a run of allowed steps (no "paused" after "paused": each change saw the one before it).
    history = store.query_all(
        "SELECT status, note FROM goal_status_changes WHERE goal_id = ? ORDER BY recorded_at, rowid", [status_goal]
    )
    assert sorted(note for _, note in history) == sorted(acknowledged["status"])
    assert len(history) + load.refused["status"] == 4 * ROUNDS
    previous = "active"
    for status, note in history:
        assert status in _NEXT_STATUSES[previous], f"{previous} -> {status} ({note}) in {history}"
        previous = status
    # Meetings: each planned one once, with its agenda, its notes and its action item.
    for meeting_id, notes, action in acknowledged["meeting"]:
        assert store.query_one("SELECT count(*) FROM meeting_agenda_items WHERE meeting_id = ?", [meeting_id])[0] == 2
        assert store.query_all("SELECT meeting_id FROM meeting_notes WHERE notes = ?", [notes]) == [(meeting_id,)]
        assert store.query_all("SELECT meeting_id FROM action_items WHERE text = ?", [action]) == [(meeting_id,)]
    # Sharing: as many rows as changes acknowledged, and the latest choice is unambiguous.
    choices = store.query_all(
        "SELECT shared, chosen_at FROM sharing_choices "
        "WHERE mentee_id = ? AND mentor_id = ? AND record_kind = 'self_assessments' ORDER BY chosen_at",
        [sharer.person_id, shared_mentor],
    )
    end_counts = table_counts(store)
    assert end_counts["sharing_choices"] - start_counts["sharing_choices"] == sum(acknowledged["sharing"])
    assert len({chosen_at for _, chosen_at in choices}) == len(choices), "two choices at the same moment: which counts?"
    overview = sharing_overview(store, sharer)
    current = overview[(overview["mentor_id"] == shared_mentor) & (overview["record_kind"] == "self_assessments")]
    assert bool(current["shared"].iloc[0]) == bool(choices[-1][0])
    # Nothing else was written: the totals are the starting ones plus what was acknowledged.
    assert end_counts["assessments"] - start_counts["assessments"] == 2 * ROUNDS + ROUNDS + 2 * APP_SUBMISSIONS
    assert end_counts["goal_checkins"] - start_counts["goal_checkins"] == 2 * ROUNDS
    assert end_counts["meetings"] - start_counts["meetings"] == len(acknowledged["meeting"]) == ROUNDS
    print(f"\nload: {len(snapshots)} snapshots read, {store.write_retries - retries_before} write retries, "
          f"{load.refused['status']} status changes refused as already made")  # fmt: skip
