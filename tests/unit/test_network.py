"""A fellow's mentoring network: each rule of adding and removing with its message and nothing stored when
refused; who may see it; the domains nobody covers, on a small hand-built program; the figure.

The hand-built program (TODAY is 2026-11-26):

    program A  fellows Fiona, Gus; mentors Mona (current research pair with Fiona), Max (career pair with
               Fiona that ended 2026-05-15; a social pair with Fiona starting 2027-01-10), Ina (inactive
               mentor); director Dana
    program B  mentor Bob

So Fiona's program pairs cover research only today: career and social have no mentor.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from analytics import network
from analytics.errors import AccessDenied, InputError
from analytics.people import Viewer, load_viewer
from analytics.store import Store
from charts.mentoring import network_chart
from tests.conftest import NOW, TODAY

QUOTE = (
    "At times, multiple mentors may be desirable to address different domains "
    "(career, research, and social/interpersonal development)."
)


@dataclass
class World:
    store: Store
    ids: dict[str, int]

    def viewer(self, who: str) -> Viewer:
        return load_viewer(self.store, self.ids[who])

    def entries(self) -> list[tuple]:
        return self.store.query_all("SELECT * FROM network_entries ORDER BY entry_id")


PEOPLE = {
    "fiona": ("A", "Fiona First", ["fellow"], True),
    "gus": ("A", "Gus Second", ["fellow"], True),
    "mona": ("A", "Mona Alpha", ["mentor"], True),
    "max": ("A", "Max Beta", ["mentor"], True),
    "ina": ("A", "Ina Inactive", ["mentor"], False),
    "dana": ("A", "Dana Director", ["director"], True),
    "bob": ("B", "Bob Elsewhere", ["mentor"], True),
}


@pytest.fixture
def world(store) -> World:
    def work(cur):
        ids = {}
        for program in ("A", "B"):
            ids[program] = cur.execute(
                "INSERT INTO programs (name, created_at) VALUES (?, ?) RETURNING program_id", [f"Program {program}", NOW]
            ).fetchone()[0]
        for key, (program, name, roles, active) in PEOPLE.items():
            ids[key] = cur.execute(
                "INSERT INTO people (program_id, full_name, email, active, created_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING person_id",
                [ids[program], name, f"{key}@example.org", active, NOW],
            ).fetchone()[0]
            for role in roles:
                cur.execute("INSERT INTO person_roles VALUES (?, ?)", [ids[key], role])
        for mentor, domain, started, ended in (
            ("mona", "research", date(2025, 7, 1), None),
            ("max", "career", date(2025, 7, 1), date(2026, 5, 15)),
            ("max", "social", date(2027, 1, 10), None),
        ):
            cur.execute(
                "INSERT INTO pairs (program_id, mentor_id, mentee_id, domain, started_on, ended_on, end_status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [ids["A"], ids[mentor], ids["fiona"], domain, started, ended, None if ended is None else "completed"],
            )
        return ids

    return World(store, store.write(work))


def test_the_guidance_sentence_is_quoted_from_domains_toml():
    assert network.guidance_sentence() == QUOTE


def test_program_pairs_show_as_from_the_program_and_missing_domains_are_the_rest(world):
    fiona = world.viewer("fiona")
    frame = network.network_of(world.store, fiona, world.ids["fiona"], TODAY)
    assert list(frame["mentor"]) == ["Mona Alpha"]
    assert list(frame["source"]) == [network.FROM_PROGRAM]
    assert list(frame["domain"]) == ["Research"]
    assert network.missing_domains(world.store, fiona, world.ids["fiona"], TODAY) == ["career", "social"]
    # Without a date every open pair counts, the upcoming social one too.
    assert network.missing_domains(world.store, fiona, world.ids["fiona"]) == ["career"]
    # A fellow with nothing at all misses every domain.
    assert network.missing_domains(world.store, world.viewer("gus"), world.ids["gus"], TODAY) == ["career", "research", "social"]


def test_an_outside_mentor_and_a_program_mentor_fill_the_gaps(world):
    fiona = world.viewer("fiona")
    ids = network.add_to_network(world.store, fiona, ["career", "social"], NOW, mentor_name="  Dr. Lee (former PI) ")
    assert len(ids) == 2
    assert network.missing_domains(world.store, fiona, world.ids["fiona"], TODAY) == []
    frame = network.network_of(world.store, fiona, world.ids["fiona"], TODAY)
    mine = frame[frame["source"] == network.MINE]
    assert list(mine["mentor"]) == ["Dr. Lee (former PI)"] * 2
    assert list(mine["domain_id"]) == ["career", "social"]
    assert mine["mentor_person_id"].isna().all()
    # Mona, a program mentor, also covers career: stored with her id and name.
    [entry] = network.add_to_network(world.store, fiona, ["career"], NOW, mentor_person_id=world.ids["mona"])
    row = world.store.query_one("SELECT mentor_person_id, mentor_name, domain FROM network_entries WHERE entry_id = ?", [entry])
    assert row == (world.ids["mona"], "Mona Alpha", "career")


def test_removing_keeps_the_history_and_allows_adding_again(world):
    fiona = world.viewer("fiona")
    [entry] = network.add_to_network(world.store, fiona, ["social"], NOW, mentor_name="Dr. Lee")
    later = NOW + timedelta(hours=1)
    network.remove_from_network(world.store, fiona, entry, later)
    assert world.store.query_one("SELECT removed_at FROM network_entries WHERE entry_id = ?", [entry])[0] == later
    assert network.missing_domains(world.store, fiona, world.ids["fiona"], TODAY) == ["career", "social"]
    with pytest.raises(InputError, match="not in your network"):
        network.remove_from_network(world.store, fiona, entry, later)
    network.add_to_network(world.store, fiona, ["social"], NOW, mentor_name="Dr. Lee")
    assert len(world.entries()) == 2


def _refused(world: World, who: str, message: str, error=InputError, **kwargs):
    before = world.entries()
    kwargs.setdefault("domains", ["career"])
    with pytest.raises(error, match=message):
        network.add_to_network(world.store, world.viewer(who), now=NOW, **kwargs)
    assert world.entries() == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(domains=[], mentor_name="Dr. Lee"), "Choose at least one domain"),
        (dict(domains="career", mentor_name="Dr. Lee"), "Choose at least one domain"),
        (dict(domains=["career", "clinical"], mentor_name="Dr. Lee"), "'clinical' is not a mentor domain"),
        (dict(), "Choose a mentor of the program, or type the name"),
        (dict(mentor_name="   "), "Choose a mentor of the program, or type the name"),
        (dict(mentor_name="L"), "too short; give at least 2"),
        (dict(mentor_name="D" * 201), "keep it to 200"),
        (dict(mentor_name="Dr.\x07Lee"), "control characters"),
        (dict(mentor_name=42), "must be text"),
    ],
)
def test_a_bad_entry_is_refused_with_its_reason(world, kwargs, message):
    _refused(world, "fiona", message, **kwargs)


def test_program_mentor_rules(world):
    ids = world.ids
    _refused(world, "fiona", "not both", mentor_person_id=ids["max"], mentor_name="Dr. Lee")
    _refused(world, "fiona", "not a member of your program", mentor_person_id=ids["bob"])
    _refused(world, "fiona", "not a member of your program", mentor_person_id=999_999)
    _refused(world, "fiona", "Ina Inactive is no longer active", mentor_person_id=ids["ina"])
    _refused(world, "fiona", "Gus Second is not a mentor of the program", mentor_person_id=ids["gus"])
    _refused(world, "fiona", "yourself", mentor_person_id=ids["fiona"])
    _refused(world, "fiona", "Choose a mentor of the program", mentor_person_id="3")
    # Mona is already Fiona's research mentor through a current pair.
    _refused(
        world,
        "fiona",
        "Mona Alpha is already your mentor for Research through the program",
        domains=["research"],
        mentor_person_id=ids["mona"],
    )


def test_a_duplicate_of_an_active_entry_is_refused_whole(world):
    fiona = world.viewer("fiona")
    network.add_to_network(world.store, fiona, ["career"], NOW, mentor_name="Dr. Lee")
    network.add_to_network(world.store, fiona, ["career"], NOW, mentor_person_id=world.ids["max"])
    _refused(world, "fiona", "dr. lee is already in your network for Career", domains=["social", "career"], mentor_name="dr. lee")
    _refused(world, "fiona", "Max Beta is already in your network for Career", mentor_person_id=world.ids["max"])
    # The same domain twice in one request is one entry.
    assert len(network.add_to_network(world.store, fiona, ["social", "social"], NOW, mentor_name="Dr. Lee")) == 1


def test_only_the_fellow_sees_and_changes_their_network(world):
    ids = world.ids
    for who in ("gus", "mona", "dana"):
        with pytest.raises(AccessDenied):
            network.network_of(world.store, world.viewer(who), ids["fiona"], TODAY)
        with pytest.raises(AccessDenied):
            network.missing_domains(world.store, world.viewer(who), ids["fiona"], TODAY)
    with pytest.raises(AccessDenied):
        network.network_of(world.store, None, ids["fiona"], TODAY)
    for who in ("mona", "dana"):
        _refused(world, who, "theirs alone", error=AccessDenied, mentor_name="Dr. Lee")
    [entry] = network.add_to_network(world.store, world.viewer("fiona"), ["career"], NOW, mentor_name="Dr. Lee")
    before = world.entries()
    with pytest.raises(InputError, match="not in your network"):
        network.remove_from_network(world.store, world.viewer("gus"), entry, NOW)
    with pytest.raises(AccessDenied):
        network.remove_from_network(world.store, world.viewer("mona"), entry, NOW)
    assert world.entries() == before


def test_program_mentors_to_choose_from_are_active_mentors_of_the_program(world):
    frame = network.program_mentors(world.store, world.viewer("fiona"))
    assert list(frame["full_name"]) == ["Max Beta", "Mona Alpha"]


def test_network_chart_marks_each_domain_without_a_mentor(world):
    fiona = world.viewer("fiona")
    network.add_to_network(world.store, fiona, ["research"], NOW, mentor_name="Dr. <b>Lee</b>")
    frame = network.network_of(world.store, fiona, world.ids["fiona"], TODAY)
    figure = network_chart(frame, ["career", "social"])
    bars = [trace for trace in figure.data if trace.type == "bar"]
    assert {trace.name for trace in bars} == {"From the program", "Listed by you"}
    assert all(list(trace.x) == ["Career", "Research", "Social/interpersonal"] for trace in bars)
    assert sum(trace.y[1] for trace in bars) == 2
    assert "&lt;b&gt;" in "".join(text for trace in bars for text in trace.text)
    [gap] = [trace for trace in figure.data if trace.name == "No mentor"]
    assert list(gap.x) == ["Career", "Social/interpersonal"]
    assert list(gap.text) == ["No mentor", "No mentor"]
    empty = network_chart(frame.iloc[0:0], ["career", "research", "social"])
    assert [trace.name for trace in empty.data] == ["No mentor"]
