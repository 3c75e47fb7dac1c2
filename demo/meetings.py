"""Demo meetings and mentoring agreements: agendas, notes, action items and versioned agreements.

Called from demo/build.py inside its one write transaction. Deterministic for a given
numpy Generator; no meeting is held after `today`.
"""

from datetime import date

import numpy as np
import pandas as pd

from analytics.bulk import insert_frame, reserve_ids

AGENDA = (
    "Review abstract draft for ASH",
    "Discuss K-award timeline",
    "Clinic workload and wellbeing",
    "Progress on the retrospective cohort analysis",
    "Feedback on the grand rounds talk",
    "Plan for the next research block",
    "Manuscript revisions: reviewer 2 comments",
    "Career plans after fellowship: academic or clinical track",
    "IRB amendment for the registry study",
    "Preparing for the in-training exam",
    "Networking at the ASH annual meeting",
    "Balancing call schedule and research time",
    "Letter of recommendation for the T32 renewal",
    "Choosing a second mentor for clinical trials",
    "Data from the flow cytometry core",
    "Work-life balance and family leave",
    "Poster for the regional hematology meeting",
    "Statistics help: survival analysis",
)
NOTES = (
    "Good progress since last time. Agreed on the next steps below.",
    "Mostly about the abstract; methods section needs tightening before the deadline.",
    "Talked through workload on the inpatient service; will protect Friday afternoons for research.",
    "Discussed funding options and who to approach; mentor will introduce a collaborator.",
    "Short meeting; reviewed figures and the timeline for submission.",
    "Reflected on feedback from the last clinic block; set a concrete goal for the quarter.",
)
ACTIONS = (
    ("Send revised abstract draft", "mentee"),
    ("Email the biostatistics core about the survival analysis", "mentee"),
    ("Draft specific aims page", "mentee"),
    ("Introduce fellow to the clinical trials group", "mentor"),
    ("Share an example of a funded K08 application", "mentor"),
    ("Read two key papers before next meeting", "mentee"),
    ("Book protected research time with the program coordinator", "mentee"),
    ("Review manuscript discussion section", "mentor"),
    ("Submit poster to the regional meeting", "mentee"),
)
CANCELLED = "Cancelled: clinical service ran over."
CONTACT = ("Email for anything routine; a text message if urgent.", "Teams chat during the week; email for documents.")
RESPONSE = ("Within two working days.", "Within a day on weekdays; not on call days.", "Within three working days.")
MENTEE_EXPECTS = (
    "Honest feedback on drafts within a week, help finding funding, and advice on career choices.",
    "Regular meetings, introductions to collaborators, and support with the K-award application.",
)
MENTOR_EXPECTS = (
    "Comes with an agenda, sends drafts ahead of time, and says early when help is needed.",
    "Keeps to agreed deadlines, asks questions, and is open to critical feedback.",
)
CONFIDENTIAL = (
    "Personal and wellbeing matters stay between us unless there is a safety concern.",
    "What we discuss about other faculty and career plans stays between us.",
)


def _at(days: np.ndarray, hour: int) -> np.ndarray:
    return (days.astype("datetime64[D]") + np.timedelta64(hour, "h")).astype("datetime64[us]")


def _ragged(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For counts per owner: the owner of each of their sum() rows, and each row's position within its owner."""
    owner = np.repeat(np.arange(len(counts)), counts)
    return owner, np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)


def _days(rng, low: int, high: int, count: int) -> np.ndarray:
    return rng.integers(low, high, count).astype("timedelta64[D]")


def _texts(texts: tuple, codes: np.ndarray) -> pd.Categorical:
    """Texts from a short list, by position. Categorical, because DuckDB reads those without a per-row copy
    (a column of Python strings costs seconds per million rows here)."""
    return pd.Categorical.from_codes(codes, categories=list(dict.fromkeys(texts)))


def _pick(rng, texts: tuple, rows: np.ndarray) -> pd.Categorical:
    return _texts(texts, rng.integers(0, len(texts), len(rows)))


def _distinct(rng, choices: int, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`counts[i]` distinct numbers below `choices` per owner i: (owner, position, number) per row.

    Floyd's sampling, one step for all owners at a time (sorting a random row of every choice per owner
    took seconds for a million meetings).
    """
    picks = np.zeros((len(counts), int(counts.max(initial=0))), dtype=np.int64)
    for step in range(picks.shape[1]):
        last = choices - counts + step  # Floyd: the step draws from 0..last; a number already taken gives `last`
        drawn = rng.integers(0, np.maximum(last, 0) + 1)
        taken = (picks[:, :step] == drawn[:, None]).any(axis=1)
        picks[:, step] = np.where(taken, last, drawn)
    owner, position = _ragged(counts)
    return owner, position, picks[owner, position]


def generate(
    cur, rng: np.random.Generator, program_id: int, fellow_ids, pairs: pd.DataFrame, today: date, demo_fellow: int
) -> dict:
    """Agreements, meetings, notes and action items for the demo program's pairs.

    Most pairs have an agreement (some with a second version; most acknowledged by both, a few
    awaiting the mentor, a few due for review) and meet roughly as agreed, some less often; a pair
    that ended met until its end. The demo fellow has a planned meeting after today with an agenda
    and a few open action items. Drawn in whole arrays, one numpy call per quantity for all pairs.
    """
    fellows = np.array([int(f) for f in fellow_ids], dtype=np.int64)
    ended = pairs["ended_on"] if "ended_on" in pairs.columns else pd.Series([None] * len(pairs), index=pairs.index)
    frame = pd.DataFrame(
        {
            "pair_id": pairs["pair_id"].to_numpy(dtype=np.int64),
            "mentor_id": pairs["mentor_id"].to_numpy(dtype=np.int64),
            "mentee_id": pairs["mentee_id"].to_numpy(dtype=np.int64),
            "started_on": pd.to_datetime(pairs["started_on"]).to_numpy().astype("datetime64[D]"),
            "ended_on": pd.to_datetime(ended).to_numpy().astype("datetime64[D]"),
        }
    )
    now = np.datetime64(today)
    frame = frame[(frame["started_on"] <= now) & frame["mentee_id"].isin(fellows)].sort_values("pair_id", kind="stable")
    pair_id, mentor, mentee = (frame[c].to_numpy() for c in ("pair_id", "mentor_id", "mentee_id"))
    # pandas keeps dates as seconds: back to days for the arithmetic below
    started, ended_on = (frame[c].to_numpy().astype("datetime64[D]") for c in ("started_on", "ended_on"))
    running = np.isnat(ended_on) | (ended_on > now)
    end = np.where(running, now, ended_on)  # meetings are held before this day
    count = len(frame)
    primary = ~pd.Series(mentee).duplicated().to_numpy()  # a fellow's first pair
    is_demo = (mentee == demo_fellow) & primary
    # The second fellow's first pair (with the demo mentor) awaits the mentor's acknowledgement.
    awaiting_fellow = (mentee == fellows[1]) if len(fellows) > 1 else np.zeros(count, dtype=bool)
    weeks = np.array([2, 3, 4, 4, 4, 6, 8])[rng.integers(0, 7, count)]
    agreements, acknowledgements, weeks = _agreements(
        rng, count, pair_id, mentor, mentee, started, is_demo, awaiting_fellow, primary, weeks, now
    )

    # Meetings: roughly as agreed; some pairs meet less often than they agreed.
    slack = np.where(is_demo | (rng.random(count) < 0.7), 1.0, rng.uniform(1.6, 2.6, count))
    gap = np.maximum(10, np.rint(7 * weeks * slack).astype(np.int64))
    first = started + _days(rng, 5, 20, count)
    most = np.maximum((end - first).astype(np.int64), 0) // np.maximum(7, gap - 5) + 1  # no more can fit before the end
    owner, _ = _ragged(most)
    step = np.maximum(7, gap[owner] + rng.integers(-5, 6, len(owner)))
    offset = np.cumsum(step) - step  # the first meeting of each pair at 0, then steps within the pair
    offset -= np.repeat(offset[np.cumsum(most) - most], most)
    day = first[owner] + offset.astype("timedelta64[D]")
    held_on = day < end[owner]
    owner, day = owner[held_on], day[held_on]
    held_count = np.bincount(owner, minlength=count)
    planned = running & (is_demo | (rng.random(count) < 0.6))
    planned_day = now + _days(rng, 3, 21, count)
    owner = np.concatenate([owner, np.flatnonzero(planned)])
    day = np.concatenate([day, planned_day[planned]])
    order = np.lexsort((day, owner))
    owner, day = owner[order], day[order]
    meetings_count = len(owner)
    meeting_ids = reserve_ids(cur, "meeting_ids", meetings_count)
    _, index = _ragged(np.bincount(owner, minlength=count))
    future = day >= now
    creator = np.where(rng.random(meetings_count) < 0.75, mentee[owner], mentor[owner])
    created = np.maximum(started[owner], day - _days(rng, 3, 14, meetings_count))
    meetings = pd.DataFrame(
        {
            "meeting_id": meeting_ids,
            "pair_id": pair_id[owner],
            "meeting_on": day,
            "created_by": creator,
            "created_at": _at(created, 9),
        }
    )
    demo_future = is_demo[owner] & future
    agenda_count = np.where(demo_future, 3, rng.integers(2, 5, meetings_count))
    which, position, item = _distinct(rng, len(AGENDA), agenda_count)
    item = np.where(demo_future[which], position, item)  # the demo fellow's next meeting: the first three
    agenda = pd.DataFrame({"meeting_id": meeting_ids[which], "position": position + 1, "text": _texts(AGENDA, item)})

    # Notes: none for a planned meeting; half of those in the last ten days are still to write.
    recent = (now - day).astype(np.int64) < 10
    demo = is_demo[owner]
    noted = ~future & ~(recent & ~demo & (rng.random(meetings_count) < 0.5))
    held = demo | (rng.random(meetings_count) > 0.06)
    written_on = np.maximum(np.minimum(day + _days(rng, 0, 3, meetings_count), now - 1), day)
    notes = pd.DataFrame(
        {
            "meeting_id": meeting_ids,
            "held": held,
            "notes": _texts(NOTES + (CANCELLED,), np.where(held, rng.integers(0, len(NOTES), meetings_count), len(NOTES))),
            "written_by": creator,
            "written_at": _at(written_on, 19),
        }
    )[noted]

    # Action items after a meeting that was held; the demo fellow's newest meeting left three open.
    newest_for_demo = demo & (index >= held_count[owner] - 1)
    action_count = np.where(noted & held, np.where(newest_for_demo, 3, rng.integers(0, 4, meetings_count)), 0)
    at, _, choice = _distinct(rng, len(ACTIONS), action_count)
    actions_count = len(at)
    action_ids = reserve_ids(cur, "action_ids", actions_count)
    by_mentee = np.array([owner_kind == "mentee" for _, owner_kind in ACTIONS])[choice]
    responsible = np.where(by_mentee, mentee[owner[at]], mentor[owner[at]])
    actions = pd.DataFrame(
        {
            "action_id": action_ids,
            "meeting_id": meeting_ids[at],
            "text": _texts(tuple(text for text, _ in ACTIONS), choice),
            "owner_id": responsible,
            "due_on": day[at] + _days(rng, 14, 60, actions_count),
            "created_at": _at(written_on[at], 19),
        }
    )
    # The demo fellow ticked off everything but the newest meeting's items.
    age = (now - day[at]).astype(np.int64)
    done = ~newest_for_demo[at] & (demo[at] | (rng.random(actions_count) < np.where(age > 60, 0.9, 0.4)))
    done_on = np.maximum(np.minimum(day[at] + _days(rng, 3, 45, actions_count), now - 1), written_on[at])
    changes = pd.DataFrame(
        {
            "action_id": action_ids,
            "status": _texts(("done",), np.zeros(actions_count, dtype=np.int64)),  # goal_id: none (NULL)
            "changed_by": responsible,
            "changed_at": _at(done_on, 21),
        }
    )[done]

    agreement_ids = reserve_ids(cur, "agreement_ids", len(agreements))
    acknowledgements["agreement_id"] = agreement_ids[acknowledgements.pop("row").to_numpy()]
    agreements.insert(0, "agreement_id", agreement_ids)
    for table, rows in (
        ("agreements", agreements),
        ("agreement_acknowledgements", acknowledgements),
        ("meetings", meetings),
        ("meeting_agenda_items", agenda),
        ("meeting_notes", notes),
        ("action_items", actions),
        ("action_item_changes", changes),
    ):
        insert_frame(cur, table, rows)
    return {
        "meetings": meetings_count,
        "agreements": len(agreements),
        "action_items": actions_count,
        "demo_fellow_planned": bool(is_demo.any()),
    }


def _agreements(rng, count, pair_id, mentor, mentee, started, is_demo, awaiting_fellow, primary, weeks, now):
    """Agreement versions and acknowledgements per pair, and how often each pair agreed to meet in the end.

    Most pairs write one soon after they start; some a second a while later (meeting a little more or less
    often); a few are due for review; the latest version of a few awaits the other's acknowledgement.
    """
    has = is_demo | awaiting_fellow | (rng.random(count) < 0.85)
    written = np.minimum(started + _days(rng, 7, 30, count), now - 1)
    age = (now - written).astype(np.int64)
    second = has & (age > 240) & (is_demo | (rng.random(count) < 0.3))
    later = np.where(second, rng.integers(150, np.maximum(np.minimum(365, age - 30), 151)), 0)
    review_due = ~is_demo & (rng.random(count) < 0.15)
    weeks_after = np.where(second, np.clip(weeks + np.array([-1, 1, 2])[rng.integers(0, 3, count)], 1, 26), weeks)
    versions = np.where(has, 1 + second, 0)
    pair, number = _ragged(versions)
    rows = len(pair)
    written_on = written[pair] + np.where(number == 1, later[pair], 0).astype("timedelta64[D]")
    latest = number == versions[pair] - 1
    review_late = np.maximum(now - _days(rng, 1, 20, rows), written_on + 1)
    review_on = np.where(
        latest,
        np.where(
            review_due[pair],
            np.where(written_on + 180 > now, review_late, written_on + 180),
            np.maximum(written_on + 365, now + 14),
        ),
        written_on + 365,
    )
    by_fellow = is_demo[pair] | awaiting_fellow[pair] | (rng.random(rows) < 0.6)
    writer = np.where(by_fellow, mentee[pair], mentor[pair])
    other = np.where(by_fellow, mentor[pair], mentee[pair])
    agreements = pd.DataFrame(
        {
            "pair_id": pair_id[pair],
            "version": number + 1,
            "meet_every_weeks": np.where(number == 1, weeks_after[pair], weeks[pair]),
            "contact": _pick(rng, CONTACT, pair),
            "response_time": _pick(rng, RESPONSE, pair),
            "mentee_expects": _pick(rng, MENTEE_EXPECTS, pair),
            "mentor_expects": _pick(rng, MENTOR_EXPECTS, pair),
            "confidential": _pick(rng, CONFIDENTIAL, pair),
            "review_on": review_on,
            "written_by": writer,
            "written_at": _at(written_on, 18),
        }
    )
    awaiting = latest & ((awaiting_fellow[pair] & primary[pair]) | (~is_demo[pair] & (rng.random(rows) < 0.1)))
    seen = np.maximum(np.minimum(written_on + _days(rng, 1, 10, rows), now - 1), written_on)
    position = np.arange(rows)
    acknowledgements = pd.concat(
        [
            pd.DataFrame({"row": position, "person_id": writer, "acknowledged_at": _at(written_on, 18)}),
            pd.DataFrame({"row": position, "person_id": other, "acknowledged_at": _at(seen, 20)})[~awaiting],
        ]
    ).sort_values("row", kind="stable")
    return agreements, acknowledgements, weeks_after
