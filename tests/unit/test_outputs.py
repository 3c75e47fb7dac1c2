"""Outputs: every rule of logging with its message and nothing stored when refused; who may see them;
the cumulative counts against a hand-computed answer; the chart; the demo generator (networks too)."""

import shutil
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from analytics import network, outputs
from analytics.errors import AccessDenied, InputError
from analytics.people import Viewer, load_viewer
from analytics.store import Store
from charts.mentoring import cumulative_outputs_chart
from charts.style import PALETTE, SYMBOLS
from demo import outputs as demo_outputs
from tests.conftest import NOW, TODAY

DOI = "10.1182/blood.2024012345"


@pytest.fixture
def ids(store) -> dict[str, int]:
    """One program: fellows Fiona and Gus, mentors Mona (current pair with Fiona) and Max (no pair), director Dana."""

    def work(cur):
        found = {
            "program": cur.execute(
                "INSERT INTO programs (name, created_at) VALUES ('A', ?) RETURNING program_id", [NOW]
            ).fetchone()[0]
        }
        for key, role in (("fiona", "fellow"), ("gus", "fellow"), ("mona", "mentor"), ("max", "mentor"), ("dana", "director")):
            found[key] = cur.execute(
                "INSERT INTO people (program_id, full_name, email, created_at) VALUES (?, ?, ?, ?) RETURNING person_id",
                [found["program"], key.title(), f"{key}@example.org", NOW],
            ).fetchone()[0]
            cur.execute("INSERT INTO person_roles VALUES (?, ?)", [found[key], role])
        cur.execute(
            "INSERT INTO pairs (program_id, mentor_id, mentee_id, domain, started_on) VALUES (?, ?, ?, 'research', ?)",
            [found["program"], found["mona"], found["fiona"], date(2025, 7, 1)],
        )
        return found

    return store.write(work)


def who(store: Store, ids, name: str) -> Viewer:
    return load_viewer(store, ids[name])


def log(store, viewer, kind="publication", title="Outcomes of CAR T-cell therapy", happened_on=date(2026, 3, 2), **kwargs):
    return outputs.log_output(store, viewer, kind, title, happened_on, TODAY, NOW, **kwargs)


def all_outputs(store: Store) -> list[tuple]:
    return store.query_all("SELECT * FROM outputs ORDER BY output_id")


# ---------------------------------------------------------------- logging


def test_an_output_is_stored_with_its_identifier_and_link(store, ids):
    fiona = who(store, ids, "fiona")
    output_id = log(store, fiona, identifier_kind="doi", identifier=f"https://doi.org/{DOI}")
    frame = outputs.outputs_of(store, fiona, ids["fiona"])
    assert list(frame["output_id"]) == [output_id]
    row = frame.iloc[0]
    assert (row["kind"], row["identifier_kind"], row["identifier"]) == ("Publication", "doi", DOI)
    assert row["link"] == f"https://doi.org/{DOI}"
    assert row["happened_on"] == date(2026, 3, 2)
    log(store, fiona, "abstract", "An abstract", identifier_kind="pmid", identifier=" 38123456 ")
    log(store, fiona, "grant", "ASH RTAF", identifier_kind="grant", identifier="K08 HL-123/4")
    log(store, fiona, "award", "Fellow teaching award", happened_on=TODAY)
    frame = outputs.outputs_of(store, fiona, ids["fiona"])
    assert list(frame["kind_id"]) == ["award", "grant", "abstract", "publication"]  # newest first; same day: latest logged first
    assert frame.set_index("kind_id").loc["abstract", "link"] == "https://pubmed.ncbi.nlm.nih.gov/38123456/"


@pytest.mark.parametrize("written", [DOI, f"doi:{DOI}", f"DOI: {DOI}", f"https://doi.org/{DOI}", f"http://dx.doi.org/{DOI}"])
def test_a_doi_loses_its_prefix(written):
    assert outputs.check_identifier("doi", written) == ("doi", DOI)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(kind="poster"), "Choose what kind of output this is"),
        (dict(title=""), "Give the output its title"),
        (dict(title="   "), "Give the output its title"),
        (dict(title="A"), "too short; give at least 2"),
        (dict(title="T" * 301), "keep it to 300"),
        (dict(title="Bad\x00title"), "control characters"),
        (dict(happened_on=TODAY + timedelta(days=1)), "2026-11-27 is after today"),
        (dict(happened_on=date(1949, 12, 31)), "before 1950"),
        (dict(happened_on="2026-01-01"), "Choose the date"),
        (dict(identifier_kind="doi", identifier="10.12/abc"), "is not a DOI"),
        (dict(identifier_kind="doi", identifier="10.1182/"), "is not a DOI"),
        (dict(identifier_kind="doi", identifier="10.1182/blood 2024"), "is not a DOI"),
        (dict(identifier_kind="doi", identifier="blood.2024012345"), "is not a DOI"),
        (dict(identifier_kind="pmid", identifier="123456789"), "is not a PMID"),
        (dict(identifier_kind="pmid", identifier="12a4"), "is not a PMID"),
        (dict(identifier_kind="grant", identifier="K8"), "is not a grant number"),
        (dict(identifier_kind="grant", identifier="K08_HL123"), "is not a grant number"),
        (dict(identifier_kind="grant", identifier="G" * 41), "is not a grant number"),
        (dict(identifier_kind="grant", identifier="- / -"), "is not a grant number"),
        (dict(identifier=DOI), "Choose what the identifier"),
        (dict(identifier_kind="doi"), "Enter the DOI, or choose no identifier"),
        (dict(identifier_kind="doi", identifier="  "), "Enter the DOI"),
        (dict(identifier_kind="isbn", identifier="978-3"), "Choose the kind of identifier"),
    ],
)
def test_a_bad_output_is_refused_with_its_reason_and_nothing_is_stored(store, ids, changes, message):
    with pytest.raises(InputError, match=message):
        log(store, who(store, ids, "fiona"), **changes)
    assert all_outputs(store) == []


def test_a_duplicate_identifier_of_the_same_owner_is_refused(store, ids):
    fiona, gus = who(store, ids, "fiona"), who(store, ids, "gus")
    log(store, fiona, identifier_kind="doi", identifier=DOI)
    before = all_outputs(store)
    with pytest.raises(InputError, match="already logged this DOI: 'Outcomes of CAR T-cell therapy' \\(2026-03-02\\)"):
        log(store, fiona, title="Another title", identifier_kind="doi", identifier="doi:" + DOI.upper())
    with pytest.raises(InputError, match="already logged this publication with that title and date"):
        log(store, fiona)  # a double-clicked submit without an identifier
    assert all_outputs(store) == before
    log(store, gus, identifier_kind="doi", identifier=DOI)  # another fellow's co-authored paper
    log(store, fiona, title="Outcomes of CAR T-cell therapy", happened_on=date(2026, 4, 1))  # another date
    assert len(all_outputs(store)) == 3


def test_only_a_fellow_logs_outputs(store, ids):
    for name in ("mona", "dana"):
        with pytest.raises(AccessDenied):
            log(store, who(store, ids, name))
    with pytest.raises(AccessDenied):
        log(store, None)
    assert all_outputs(store) == []


# ---------------------------------------------------------------- who sees them


def share(store: Store, ids, kind: str, shared: bool, at: datetime) -> None:
    store.write(
        lambda cur: cur.execute(
            "INSERT INTO sharing_choices VALUES (?, ?, ?, ?, ?)", [ids["fiona"], ids["mona"], kind, shared, at]
        )
    )


def test_others_see_outputs_only_where_the_fellow_shares_them(store, ids):
    log(store, who(store, ids, "fiona"))
    mona = who(store, ids, "mona")
    for name in ("gus", "max", "dana", "mona"):
        for read in (outputs.outputs_of, outputs.cumulative_outputs):
            with pytest.raises(AccessDenied):
                read(store, who(store, ids, name), ids["fiona"])
    share(store, ids, "goals", True, NOW)  # sharing goals is not sharing outputs
    with pytest.raises(AccessDenied):
        outputs.outputs_of(store, mona, ids["fiona"])
    share(store, ids, "outputs", True, NOW)
    assert len(outputs.outputs_of(store, mona, ids["fiona"])) == 1
    assert outputs.cumulative_outputs(store, mona, ids["fiona"])["cumulative"].max() == 1
    share(store, ids, "outputs", False, NOW + timedelta(minutes=5))  # withdrawn: the latest choice counts
    with pytest.raises(AccessDenied):
        outputs.outputs_of(store, mona, ids["fiona"])
    # Max has no pair with Fiona: a sharing row alone gives him nothing.
    store.write(
        lambda cur: cur.execute("INSERT INTO sharing_choices VALUES (?, ?, 'outputs', true, ?)", [ids["fiona"], ids["max"], NOW])
    )
    with pytest.raises(AccessDenied):
        outputs.outputs_of(store, who(store, ids, "max"), ids["fiona"])


# ---------------------------------------------------------------- cumulative counts


def test_cumulative_counts_by_month_and_kind(store, ids):
    fiona = who(store, ids, "fiona")
    log(store, fiona, "abstract", "First abstract", date(2026, 1, 5))
    log(store, fiona, "abstract", "Second abstract", date(2026, 3, 20))
    log(store, fiona, "publication", "First paper", date(2026, 3, 2))
    log(store, fiona, "abstract", "Third abstract", date(2026, 3, 31))
    log(store, who(store, ids, "gus"), "grant", "Not Fiona's", date(2026, 2, 1))
    frame = outputs.cumulative_outputs(store, fiona, ids["fiona"], through=date(2026, 5, 10))
    months = [date(2026, m, 1) for m in range(1, 6)]
    # By hand: publications 0 0 1 1 1; abstracts 1 1 3 3 3 (two in March). Kinds in the app's order.
    assert list(frame["kind_id"]) == ["publication"] * 5 + ["abstract"] * 5
    assert list(frame["month"]) == months * 2
    assert list(frame["added"]) == [0, 0, 1, 0, 0, 1, 0, 2, 0, 0]
    assert list(frame["cumulative"]) == [0, 0, 1, 1, 1, 1, 1, 3, 3, 3]
    assert list(frame["kind"][:1]) == ["Publication"]
    # Without `through` the months run to the last output; an earlier `through` cuts nothing.
    assert list(outputs.cumulative_outputs(store, fiona, ids["fiona"])["month"].unique()) == months[:3]
    assert list(outputs.cumulative_outputs(store, fiona, ids["fiona"], date(2025, 1, 1))["month"].unique()) == months[:3]


def test_cumulative_counts_of_nobody_are_empty(store, ids):
    frame = outputs.cumulative_outputs(store, who(store, ids, "gus"), ids["gus"], TODAY)
    assert frame.empty
    assert list(frame.columns) == ["month", "kind_id", "kind", "added", "cumulative"]
    figure = cumulative_outputs_chart(frame)
    assert not figure.data
    assert figure.layout.annotations[0].text == "No outputs logged yet"


def test_cumulative_chart_is_one_step_line_per_kind(store, ids):
    fiona = who(store, ids, "fiona")
    log(store, fiona, "abstract", "First abstract", date(2026, 1, 5))
    log(store, fiona, "publication", "First paper", date(2026, 3, 2))
    log(store, fiona, "presentation", "Grand rounds", date(2026, 4, 2))
    figure = cumulative_outputs_chart(outputs.cumulative_outputs(store, fiona, ids["fiona"], TODAY))
    assert [trace.name for trace in figure.data] == ["Publication", "Abstract", "Presentation"]
    assert {trace.line.shape for trace in figure.data} == {"hv"}
    assert [trace.line.color for trace in figure.data] == list(PALETTE[:3])
    assert [trace.marker.symbol for trace in figure.data] == list(SYMBOLS[:3])
    assert [int(trace.y[-1]) for trace in figure.data] == [1, 1, 1]


# ---------------------------------------------------------------- the demo generator


def _generate(path) -> tuple[Store, dict, int]:
    store = Store(path)
    people = store.query_df(
        "SELECT p.person_id, p.email, p.program_id, r.role FROM people p JOIN person_roles r USING (person_id) ORDER BY 1"
    )
    fellows = list(people.loc[people["role"] == "fellow", "person_id"])
    mentors = list(people.loc[people["role"] == "mentor", "person_id"])
    demo_fellow = int(people.loc[people["email"] == "fellow@demo.org", "person_id"].iloc[0])
    pairs = store.query_df("SELECT * FROM pairs ORDER BY pair_id")
    program_id = int(people["program_id"].iloc[0])

    def work(cur):
        cur.execute("DELETE FROM outputs; DELETE FROM network_entries")  # the demo program already has its own
        return demo_outputs.generate(cur, np.random.default_rng(11), program_id, fellows, mentors, pairs, TODAY, demo_fellow)

    summary = store.write(work)
    return store, summary, demo_fellow


def test_the_demo_generator(demo_template, tmp_path):
    copies = [tmp_path / "one.duckdb", tmp_path / "two.duckdb"]
    for copy in copies:
        shutil.copy(demo_template, copy)
    store, summary, demo_fellow = _generate(copies[0])
    with store:
        other, again, _ = _generate(copies[1])
        with other:
            # Deterministic: the same generator state gives the same rows.
            assert summary == again
            for table in ("network_entries", "outputs"):
                query = "SELECT * FROM " + table + " ORDER BY 1"
                assert store.query_all(query) == other.query_all(query)
        assert summary["outputs"] == store.query_one("SELECT count(*) FROM outputs")[0] > 50
        assert summary["network_entries"] == store.query_one("SELECT count(*) FROM network_entries")[0] > 10

        # Nothing after today.
        latest = store.query_one(
            "SELECT max(happened_on), max(recorded_at) FROM outputs UNION ALL "
            "SELECT max(added_at)::DATE, max(removed_at) FROM network_entries"
        )
        assert latest[0] <= TODAY and latest[1] <= datetime.combine(TODAY, datetime.min.time())
        assert store.query_one("SELECT max(added_at), max(removed_at) FROM network_entries")[0] <= NOW
        assert store.query_one("SELECT count(*) FROM network_entries WHERE removed_at < added_at")[0] == 0

        # Abstracts and presentations common, publications fewer, grants and awards rare; identifiers valid.
        counts = dict(store.query_all("SELECT kind, count(*) FROM outputs GROUP BY ALL"))
        assert counts["abstract"] > counts["publication"] and counts["presentation"] > counts["publication"]
        assert counts["publication"] > counts.get("grant", 0) and counts["publication"] > counts.get("award", 0)
        identifiers = store.query_all("SELECT identifier_kind, identifier FROM outputs WHERE identifier IS NOT NULL")
        assert {kind for kind, _ in identifiers} == {"doi", "pmid", "grant"}
        for kind, value in identifiers:
            assert outputs.check_identifier(kind, value) == (kind, value)
        assert (
            store.query_one(
                "SELECT count(*) FROM outputs WHERE identifier IS NOT NULL GROUP BY owner_id, identifier HAVING count(*) > 1"
            )
            is None
        )

        # Program mentors listed are active mentors of the same program; outside mentors have names.
        wrong = store.query_one(
            """
            SELECT count(*) FROM network_entries n
            LEFT JOIN people m ON m.person_id = n.mentor_person_id
            LEFT JOIN person_roles r ON r.person_id = m.person_id AND r.role = 'mentor'
            JOIN people f ON f.person_id = n.fellow_id
            WHERE n.mentor_person_id IS NOT NULL
              AND (r.role IS NULL OR NOT m.active OR m.program_id <> f.program_id OR n.mentor_name <> m.full_name)
            """
        )[0]
        assert wrong == 0
        outside = {row[0] for row in store.query_all("SELECT mentor_name FROM network_entries WHERE mentor_person_id IS NULL")}
        assert "Dr. Lee (former PI)" in outside

        # The demo fellow has no social/interpersonal mentor, and outputs to chart; a few others have a gap too.
        fellow = load_viewer(store, demo_fellow)
        assert network.missing_domains(store, fellow, demo_fellow, TODAY) == ["social"]
        assert len(outputs.outputs_of(store, fellow, demo_fellow)) >= 5
        fellows = [row[0] for row in store.query_all("SELECT person_id FROM person_roles WHERE role = 'fellow'")]
        gaps = [f for f in fellows if network.missing_domains(store, load_viewer(store, f), f, TODAY)]
        assert 2 <= len(gaps) <= len(fellows) // 2
        listed = store.query_one("SELECT count(DISTINCT fellow_id) FROM network_entries")[0]
        assert listed > len(fellows) * 0.6
