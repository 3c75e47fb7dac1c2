"""Mentoring agreements: validation, versions that never overwrite, acknowledgement by both, joint-record
access, and the check of meetings held against the agreed frequency."""

from datetime import date, timedelta

import pytest

from analytics.agreements import (
    acknowledge,
    agreement_check,
    agreement_of,
    agreement_versions,
    expected_meetings,
    record_agreement,
)
from analytics.errors import AccessDenied, InputError
from analytics.meetings import plan_meeting, record_notes
from tests.conftest import NOW, TODAY
from tests.unit.test_meetings import Cast, assert_only_a_current_pair_may

TABLES = ("agreements", "agreement_acknowledgements")
GOOD = dict(
    meet_every_weeks=2,
    contact="Email; a text if urgent.",
    response_time="Within two working days.",
    mentee_expects="Feedback on drafts within a week.",
    mentor_expects="An agenda before each meeting.",
    confidential="Wellbeing matters stay between us.",
    review_on=TODAY + timedelta(days=180),
)


def counts(store) -> dict[str, int]:
    return {table: store.query_one("SELECT count(*) FROM " + table)[0] for table in TABLES}


@pytest.fixture
def cast(demo_store):
    found = Cast(demo_store)

    # Start from a pair with no agreement, whatever the demo program holds.
    def clear(cur):
        cur.execute(
            "DELETE FROM agreement_acknowledgements WHERE agreement_id IN "
            "(SELECT agreement_id FROM agreements WHERE pair_id = ?)",
            [found.pair_id],
        )
        cur.execute("DELETE FROM agreements WHERE pair_id = ?", [found.pair_id])
        cur.execute("DELETE FROM meetings WHERE pair_id = ?", [found.pair_id])

    demo_store.write(clear)
    return found


def write(store, cast, viewer=None, **changes):
    return record_agreement(store, viewer or cast.fellow, cast.pair_id, **(GOOD | changes), today=TODAY, now=NOW)


def test_recording_stores_version_one_acknowledged_by_the_writer(demo_store, cast):
    before = counts(demo_store)
    agreement_id = write(demo_store, cast)
    assert counts(demo_store) == {t: before[t] + 1 for t in TABLES}
    current = agreement_of(demo_store, cast.mentor, cast.pair_id)
    assert current["agreement_id"] == agreement_id and current["version"] == 1
    assert current["meet_every_weeks"] == 2 and current["contact"] == GOOD["contact"]
    assert current["mentee_acknowledged"] and not current["mentor_acknowledged"] and not current["acknowledged_by_both"]
    assert [a["person_id"] for a in current["acknowledged_by"]] == [cast.fellow.person_id]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"meet_every_weeks": 0}, "1 to 26 weeks"),
        ({"meet_every_weeks": 27}, "1 to 26 weeks"),
        ({"meet_every_weeks": 2.5}, "whole number"),
        ({"meet_every_weeks": True}, "whole number"),
        ({"contact": ""}, "How we reach each other is empty"),
        ({"response_time": "   "}, "How fast we answer is empty"),
        ({"mentee_expects": None}, "fellow expects of the mentor is empty"),
        ({"mentor_expects": "x" * 1001}, "1,000 or fewer"),
        ({"confidential": "secret\x1b[0m"}, "control characters"),
        ({"review_on": TODAY}, "after today"),
        ({"review_on": TODAY - timedelta(days=1)}, "after today"),
        ({"review_on": date(2028, 11, 27)}, "within two years"),
        ({"review_on": "2027-01-01"}, "must be a date"),
    ],
)
def test_a_bad_agreement_is_refused_and_stores_nothing(demo_store, cast, changes, message):
    before = counts(demo_store)
    with pytest.raises(InputError, match=message):
        write(demo_store, cast, **changes)
    assert counts(demo_store) == before


def test_the_limits_themselves_are_fine(demo_store, cast):
    write(demo_store, cast, meet_every_weeks=1, contact="x" * 1000, review_on=date(2028, 11, 26))
    write(demo_store, cast, meet_every_weeks=26, review_on=TODAY + timedelta(days=1))


def test_only_a_member_of_a_current_pair_writes(demo_store, cast):
    assert_only_a_current_pair_may(demo_store, cast, lambda viewer: write(demo_store, cast, viewer=viewer), counts)


def test_a_new_version_keeps_the_old_one(demo_store, cast):
    first = write(demo_store, cast)
    acknowledge(demo_store, cast.mentor, first, NOW)
    second = write(demo_store, cast, viewer=cast.mentor, meet_every_weeks=4, contact="Teams chat.")
    assert second != first
    current = agreement_of(demo_store, cast.fellow, cast.pair_id)
    assert current["version"] == 2 and current["meet_every_weeks"] == 4 and current["contact"] == "Teams chat."
    assert current["mentor_acknowledged"] and not current["mentee_acknowledged"]
    versions = agreement_versions(demo_store, cast.fellow, cast.pair_id)
    assert list(versions["version"]) == [2, 1]
    old = versions[versions["version"] == 1].iloc[0]
    assert old["meet_every_weeks"] == 2 and old["contact"] == GOOD["contact"]
    assert set(old["acknowledged"].split(", ")) == {cast.fellow.full_name, cast.mentor.full_name}


def test_both_acknowledge_and_a_second_acknowledgement_changes_nothing(demo_store, cast):
    agreement_id = write(demo_store, cast)
    before = counts(demo_store)
    assert "already acknowledged" in acknowledge(demo_store, cast.fellow, agreement_id, NOW)
    assert counts(demo_store) == before
    assert "You acknowledged version 1" in acknowledge(demo_store, cast.mentor, agreement_id, NOW)
    assert counts(demo_store)["agreement_acknowledgements"] == before["agreement_acknowledgements"] + 1
    assert "already acknowledged version 1" in acknowledge(demo_store, cast.mentor, agreement_id, NOW + timedelta(hours=1))
    assert counts(demo_store)["agreement_acknowledgements"] == before["agreement_acknowledgements"] + 1
    assert agreement_of(demo_store, cast.fellow, cast.pair_id)["acknowledged_by_both"]


def test_only_the_latest_version_can_be_acknowledged(demo_store, cast):
    first = write(demo_store, cast)
    write(demo_store, cast, meet_every_weeks=3)
    before = counts(demo_store)
    with pytest.raises(InputError, match="version 2 replaced it"):
        acknowledge(demo_store, cast.mentor, first, NOW)
    assert counts(demo_store) == before


def test_outsiders_neither_see_nor_acknowledge(demo_store, cast):
    agreement_id = write(demo_store, cast)
    before = counts(demo_store)
    for outsider in cast.outsiders:
        for read in (agreement_of, agreement_versions):
            with pytest.raises(AccessDenied):
                read(demo_store, outsider, cast.pair_id)
        with pytest.raises(AccessDenied):
            agreement_check(demo_store, outsider, cast.pair_id, TODAY)
        with pytest.raises(AccessDenied):
            acknowledge(demo_store, outsider, agreement_id, NOW)
    with pytest.raises(AccessDenied):
        acknowledge(demo_store, cast.fellow, agreement_id + 10_000, NOW)
    assert counts(demo_store) == before
    for member in (cast.fellow, cast.mentor):
        assert agreement_of(demo_store, member, cast.pair_id)["agreement_id"] == agreement_id


def test_no_agreement_yet(demo_store, cast):
    assert agreement_of(demo_store, cast.fellow, cast.pair_id) is None
    assert agreement_versions(demo_store, cast.fellow, cast.pair_id).empty
    check = agreement_check(demo_store, cast.fellow, cast.pair_id, TODAY)
    assert not check["has_agreement"] and check["held"] == 0 and not check["review_due"]


def _meet(store, cast, days_ago: int, held: bool = True) -> None:
    meeting_id = plan_meeting(store, cast.fellow, cast.pair_id, TODAY - timedelta(days=days_ago), ["a"], TODAY, NOW)
    record_notes(store, cast.fellow, meeting_id, held, None, [], TODAY, NOW)


def test_meetings_held_against_the_agreed_frequency(demo_store, cast):
    write(demo_store, cast, meet_every_weeks=2)  # 90 / 14 = 6.43: about 6
    for days_ago in (0, 30, 89):  # inside the last 90 days
        _meet(demo_store, cast, days_ago)
    _meet(demo_store, cast, 90)  # 90 days ago: outside the window
    _meet(demo_store, cast, 45, held=False)  # did not take place
    plan_meeting(demo_store, cast.fellow, cast.pair_id, TODAY - timedelta(days=10), ["notes due"], TODAY, NOW)  # no notes
    plan_meeting(demo_store, cast.fellow, cast.pair_id, TODAY + timedelta(days=10), ["planned"], TODAY, NOW)
    check = agreement_check(demo_store, cast.mentor, cast.pair_id, TODAY)
    assert check["held"] == 3
    assert check["expected"] == pytest.approx(90 / 14)
    assert check["about"] == 6 and check["behind"]
    assert check["sentence"] == "3 meetings held in the last 90 days; the agreement asks for about 6."
    assert not check["review_due"] and not check["review_soon"]


@pytest.mark.parametrize("weeks, about", [(1, 13), (4, 3), (6, 2), (13, 1), (26, 1)])
def test_expected_meetings(weeks, about, demo_store, cast):
    assert expected_meetings(weeks) == pytest.approx(90 / (7 * weeks))
    write(demo_store, cast, meet_every_weeks=weeks)
    check = agreement_check(demo_store, cast.fellow, cast.pair_id, TODAY)
    assert check["about"] == about
    assert check["sentence"].startswith("0 meetings held in the last 90 days")


def test_one_meeting_reads_as_one(demo_store, cast):
    write(demo_store, cast, meet_every_weeks=13)
    _meet(demo_store, cast, 5)
    check = agreement_check(demo_store, cast.fellow, cast.pair_id, TODAY)
    assert check["sentence"] == "1 meeting held in the last 90 days; the agreement asks for about 1."
    assert not check["behind"]


def test_review_soon_and_review_due(demo_store, cast):
    write(demo_store, cast, review_on=TODAY + timedelta(days=30))
    check = agreement_check(demo_store, cast.fellow, cast.pair_id, TODAY)
    assert check["review_soon"] and not check["review_due"] and "in 30 days" in check["review_sentence"]
    far = agreement_check(demo_store, cast.fellow, cast.pair_id, TODAY - timedelta(days=1))
    assert not far["review_soon"] and not far["review_due"]
    for later in (TODAY + timedelta(days=30), TODAY + timedelta(days=100)):
        due = agreement_check(demo_store, cast.fellow, cast.pair_id, later)
        assert due["review_due"] and not due["review_soon"] and "was due for review" in due["review_sentence"]
