"""Demo goals: 1-4 goals per fellow with check-in histories, milestones and status changes.

Some goals finished early and were completed (a few count goals above their target), some are behind,
some were dropped with a note and one is paused; every goal says why it matters and how it is measured,
and about one in five is a stretch goal. The demo fellow gets three goals: one behind (a stretch goal),
one ahead (already above its target) and one due within 30 days. Only `rng` is used for chance, so the
same seed gives the same program; no date is after `today`. The SMART fields are drawn last, so adding
them left every other goal, check-in and milestone as it was.
"""

from datetime import date

import numpy as np
import pandas as pd

from analytics.bulk import insert_frame, reserve_ids

# (category, title, measure, target, unit, milestones as (title, fraction of the way to the target date))
GOAL_TEMPLATES = (
    (
        "research",
        "Submit first-author abstract to ASH",
        "percent",
        100,
        None,
        (("Finish the data analysis", 0.4), ("Draft shared with mentor", 0.7)),
    ),
    ("research", "3 abstracts", "count", 3, "abstracts", ()),
    ("research", "Submit a first-author manuscript", "percent", 100, None, (("Complete first draft", 0.5),)),
    ("research", "2 papers submitted", "count", 2, "papers", ()),
    (
        "career",
        "Apply for a K08 grant",
        "percent",
        100,
        None,
        (("Specific aims page reviewed", 0.3), ("Full draft to mentors", 0.75)),
    ),
    ("career", "Meet 5 potential faculty mentors", "count", 5, "meetings", ()),
    ("career", "Present at journal club", "count", 4, "presentations", ()),
    ("clinical", "Complete coagulation rotation reading list", "percent", 100, None, ()),
    ("clinical", "Perform 20 bone marrow biopsies independently", "count", 20, "biopsies", ()),
    ("clinical", "Pass the hematology in-training exam review", "percent", 100, None, (("Question bank half done", 0.5),)),
    ("personal", "Run a half marathon", "percent", 100, None, (("Run 10 km without stopping", 0.5),)),
    ("personal", "Read 12 books outside medicine", "count", 12, "books", ()),
)
# title -> (why it matters, how it will be measured)
SMART_TEXTS = {
    "Submit first-author abstract to ASH": (
        "A first-author abstract at ASH is the first step toward my own line of research.",
        "Done when the abstract is submitted; my mentor reviews each draft.",
    ),
    "3 abstracts": ("Abstracts build the record a faculty search looks at.", "Each abstract submitted counts one."),
    "Submit a first-author manuscript": (
        "A first-author paper is what a K award application needs most.",
        "Done when the manuscript is submitted to a journal.",
    ),
    "2 papers submitted": ("Publishing steadily keeps my research going.", "Each paper submitted to a journal counts one."),
    "Apply for a K08 grant": (
        "Protected research time depends on a career development award.",
        "Done when the application is submitted; the mentors' reviews mark the way.",
    ),
    "Meet 5 potential faculty mentors": (
        "A mentoring network beyond my lab covers career and life questions too.",
        "Each first meeting with a possible mentor counts one.",
    ),
    "Present at journal club": ("Presenting often makes me a clearer teacher.", "Each journal club I present counts one."),
    "Complete coagulation rotation reading list": (
        "Coagulation consults are where I feel least sure on call.",
        "The share of the reading list done, as I tick it off.",
    ),
    "Perform 20 bone marrow biopsies independently": (
        "Independence in procedures is part of the program's milestones.",
        "Each biopsy signed off by the attending as independent counts one.",
    ),
    "Pass the hematology in-training exam review": (
        "The in-training exam shows where my knowledge has gaps before the boards.",
        "The share of the question bank done, then the exam itself.",
    ),
    "Run a half marathon": ("Training keeps me well through a demanding fellowship.", "Done on race day."),
    "Read 12 books outside medicine": ("Reading outside medicine keeps me curious.", "Each book finished counts one."),
}
STRETCH_SHARE = 0.2
ABOVE_TARGET_SHARE = 0.4  # of completed count goals: the last check-in went past the target
ABOVE_TARGET_NOTE = "Done, and more than planned."
DROP_NOTES = (
    "The project lost its data source; agreed with my mentor to stop.",
    "Switched to a different research question after the lab meeting.",
    "Rotation schedule changed; this no longer fits this year.",
)
PAUSE_NOTE = "On parental leave; picking this up again in the spring."
STEP_BACK_NOTE = "Reviewer comments sent it back to drafting."
SCENARIOS = ("on track", "ahead", "behind", "completed", "dropped", "overdue")
SCENARIO_WEIGHTS = (0.35, 0.15, 0.15, 0.2, 0.1, 0.05)


def generate(
    cur, rng: np.random.Generator, program_id: int, fellow_ids, pairs: pd.DataFrame, today: date, demo_fellow: int
) -> dict:
    """Insert the demo goals in the caller's transaction; returns counts of what was inserted.

    Drawn in whole arrays (one numpy call per quantity for all goals). A fellow whose fellowship ended
    (every pair ended) has goals up to its end only.
    """
    fellows = np.array([int(f) for f in fellow_ids], dtype=np.int64)
    now = np.datetime64(today)
    first_pair = np.full(len(fellows), now - 540)
    until = np.full(len(fellows), now)
    if pairs is not None and len(pairs):
        position = pd.Series(np.arange(len(fellows)), index=fellows)
        mine = pairs[pairs["mentee_id"].isin(fellows)]
        at = position[mine["mentee_id"].to_numpy()].to_numpy()
        started = pd.Series(pd.to_datetime(mine["started_on"]).to_numpy().astype("datetime64[D]")).groupby(at).min()
        first_pair[started.index.to_numpy()] = started.to_numpy().astype("datetime64[D]")
        if "ended_on" in mine.columns:
            ended = pd.to_datetime(mine["ended_on"]).to_numpy().astype("datetime64[D]")
            last = pd.Series(np.where(np.isnat(ended), now, np.minimum(ended, now))).groupby(at).max()
            until[last.index.to_numpy()] = last.to_numpy().astype("datetime64[D]")
    earliest = np.maximum(first_pair, until - 540)
    is_demo = fellows == demo_fellow

    goals = _plans(rng, np.flatnonzero(~is_demo), earliest, until)
    paused = max(1, len(fellows) // 100)  # one paused goal in a small program, a few in a large one
    candidates = np.flatnonzero(goals["scenario"].to_numpy() == "on track")
    lucky = candidates[rng.random(len(candidates)) < 0.3]
    chosen = np.concatenate([lucky, np.setdiff1d(candidates, lucky)])[:paused]  # those that drew it first
    goals.loc[goals.index[np.sort(chosen)], "scenario"] = "paused"
    demo = [np.flatnonzero(is_demo)[0]] if is_demo.any() else []
    goals = pd.concat([goals] + [_demo_fellow_plans(today, position) for position in demo], ignore_index=True)
    goals = goals.sort_values("owner", kind="stable").reset_index(drop=True)
    goals["owner_id"] = fellows[goals["owner"].to_numpy()]
    goals["goal_id"] = reserve_ids(cur, "goal_ids", len(goals))
    checkins, changes = _history(rng, goals, until[goals["owner"].to_numpy()], today)
    milestones = _milestones(rng, goals)
    stretch, checkins = _smart(rng, goals, checkins)
    started = goals["started_on"].to_numpy().astype("datetime64[D]")
    rows = goals.assign(
        target_value=goals["target"].astype(float),
        start_value=0.0,
        created_at=_at(started, 9),
        from_action_id=pd.array([None] * len(goals), dtype="Int64"),
        why_it_matters=[SMART_TEXTS[title][0] for title in goals["title"]],
        how_measured=[SMART_TEXTS[title][1] for title in goals["title"]],
        stretch=stretch,
    )[
        [
            "goal_id",
            "owner_id",
            "title",
            "category",
            "measure",
            "target_value",
            "unit",
            "start_value",
            "started_on",
            "target_date",
            "created_at",
            "from_action_id",
            "why_it_matters",
            "how_measured",
            "stretch",
        ]
    ]
    insert_frame(cur, "goals", rows)
    insert_frame(cur, "goal_milestones", milestones)
    insert_frame(cur, "goal_checkins", checkins)
    insert_frame(cur, "goal_status_changes", changes)
    return {"goals": len(rows), "milestones": len(milestones), "checkins": len(checkins), "status_changes": len(changes)}


def _template_columns(index: np.ndarray) -> dict:
    columns = ("category", "title", "measure", "target", "unit")
    return {name: [GOAL_TEMPLATES[int(i)][c] for i in index] for c, name in enumerate(columns)}


def _plans(rng, owners: np.ndarray, earliest: np.ndarray, until: np.ndarray) -> pd.DataFrame:
    """1-4 goals per fellow from distinct templates, each with a story (scenario) and dates that fit it."""
    per_owner = rng.integers(1, 5, len(owners))
    order = np.argsort(rng.random((len(owners), len(GOAL_TEMPLATES)), dtype=np.float32), axis=1)
    which = np.repeat(np.arange(len(owners)), per_owner)
    nth = np.arange(len(which)) - np.repeat(np.cumsum(per_owner) - per_owner, per_owner)
    template = order[which, nth]
    owner = owners[which]
    count = len(owner)
    scenario = np.array(SCENARIOS)[rng.choice(len(SCENARIOS), size=count, p=SCENARIO_WEIGHTS)]
    first, ref = earliest[owner], until[owner]
    span = np.maximum((ref - 30 - first).astype(np.int64), 0)
    started = first + (rng.random(count) * (span + 1)).astype(np.int64).astype("timedelta64[D]")
    length = rng.integers(90, 541, count)
    elapsed = (ref - started).astype(np.int64)
    length = np.select(
        [scenario == "overdue", np.isin(scenario, ["completed", "dropped"])],
        [
            np.maximum(30, np.minimum(length, elapsed - rng.integers(5, 40, count))),  # the target date has passed
            np.maximum(length, 30),
        ],
        np.maximum(length, elapsed + rng.integers(10, 240, count)),  # still running: the target is in the future
    )
    return pd.DataFrame(
        {
            "owner": owner,
            "template": template,
            **_template_columns(template),
            "started_on": started,
            "target_date": started + length.astype("timedelta64[D]"),
            "scenario": scenario,
            "with_milestones": rng.random(count) < 0.7,
        }
    )


def _demo_fellow_plans(today: date, owner: int) -> pd.DataFrame:
    """Three goals with hand-picked dates, so the demo fellow's page shows behind, ahead and due soon."""
    now = np.datetime64(today)
    plans = (
        # expected 200/360 = 56%; 25% done: behind
        ("Apply for a K08 grant", 200, 160, ((170, 5), (120, 10), (60, 20), (14, 25))),
        # expected 150/365 = 41%; 4 of 3 = 133%: ahead, above its target
        ("3 abstracts", 150, 215, ((100, 1), (30, 2), (7, 4))),
        # expected 90/111 = 81%; 80% done: on track, due in 21 days
        ("Complete coagulation rotation reading list", 90, 21, ((75, 20), (45, 50), (7, 80))),
    )
    template = np.array([next(i for i, t in enumerate(GOAL_TEMPLATES) if t[1] == title) for title, *_ in plans])
    return pd.DataFrame(
        {
            "owner": owner,
            "template": template,
            **_template_columns(template),
            "started_on": np.array([now - ago for _, ago, _, _ in plans]),
            "target_date": np.array([now + due for _, _, due, _ in plans]),
            "scenario": "fixed",
            "with_milestones": True,
            "values": [values for *_, values in plans],  # (days ago, value) fixed rather than drawn
        }
    )


def _smart(rng, goals: pd.DataFrame, checkins: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Which goals are stretch goals, and the check-ins with some completed count goals' last one above
    the target. Drawn after everything else, so the rest of the demo is as it was without them."""
    fixed = goals["scenario"].to_numpy() == "fixed"
    stretch = np.where(fixed, goals["title"].to_numpy() == "Apply for a K08 grant", rng.random(len(goals)) < STRETCH_SHARE)
    over = (goals["scenario"].to_numpy() == "completed") & (goals["measure"].to_numpy() == "count")
    over &= rng.random(len(goals)) < ABOVE_TARGET_SHARE
    target = goals["target"].to_numpy().astype(float)
    extra = 1 + np.floor(target * 0.25 * rng.random(len(goals)))
    above = pd.Series(target + extra, index=goals["goal_id"].to_numpy())[goals["goal_id"].to_numpy()[over]]
    # the "Done." check-in completed goals end with, at the target
    last = checkins["goal_id"].isin(above.index) & (checkins["note"] == "Done.").fillna(False).to_numpy()
    checkins = checkins.copy()
    checkins.loc[last, "value"] = above[checkins.loc[last, "goal_id"]].to_numpy()
    checkins.loc[last, "note"] = ABOVE_TARGET_NOTE
    return stretch.astype(bool), checkins


def _milestones(rng, goals: pd.DataFrame) -> pd.DataFrame:
    steps = goals["template"].map(lambda t: len(GOAL_TEMPLATES[t][5])).to_numpy() * goals["with_milestones"].to_numpy()
    goal = np.repeat(np.arange(len(goals)), steps)
    position = np.arange(len(goal)) - np.repeat(np.cumsum(steps) - steps, steps)
    templates = goals["template"].to_numpy()[goal]
    title = [GOAL_TEMPLATES[t][5][p][0] for t, p in zip(templates, position, strict=True)]
    fraction = np.array([GOAL_TEMPLATES[t][5][p][1] for t, p in zip(templates, position, strict=True)])
    started = goals["started_on"].to_numpy().astype("datetime64[D]")[goal]
    length = (goals["target_date"].to_numpy().astype("datetime64[D]")[goal] - started).astype(np.int64)
    return pd.DataFrame(
        {
            "goal_id": goals["goal_id"].to_numpy()[goal],
            "position": position + 1,
            "title": title,
            "due_on": started + (length * fraction).astype(np.int64).astype("timedelta64[D]"),
        }
    )


def _history(rng, goals: pd.DataFrame, until: np.ndarray, today: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check-ins (never after today, nor after the fellowship's end) and status changes for every goal."""
    now = np.datetime64(today)
    scenario = goals["scenario"].to_numpy()
    started = goals["started_on"].to_numpy().astype("datetime64[D]")
    due = goals["target_date"].to_numpy().astype("datetime64[D]")
    target = goals["target"].to_numpy().astype(float)
    whole = goals["measure"].to_numpy() == "count"
    count = len(goals)
    length = (due - started).astype(np.int64)
    drawn = scenario != "fixed"
    # how far along the straight line each goal runs, and where its check-ins stop
    factor = pd.Series(scenario).map(
        {"on track": 1.0, "ahead": 1.5, "behind": 0.45, "completed": 1.3, "dropped": 0.5, "overdue": 0.6, "paused": 0.9}
    )
    factor = factor.fillna(0.0).to_numpy()
    stop = np.select(
        [scenario == "completed", scenario == "dropped", scenario == "paused"],
        [
            np.maximum(7, (length * rng.uniform(0.6, 0.95, count)).astype(np.int64)),  # finished early
            np.maximum(7, (length * rng.uniform(0.2, 0.7, count)).astype(np.int64)),
            np.maximum(7, ((until - started).astype(np.int64) * 0.7).astype(np.int64)),
        ],
        length,
    )
    end = np.minimum(until, started + stop.astype("timedelta64[D]"))
    days = np.maximum((end - started).astype(np.int64), 1)
    # 2-6 check-ins; the last one is recent, so the value says where the goal stands now
    per_goal = np.where(drawn, rng.integers(2, 7, count), 0)
    recent = np.maximum(1, days - rng.integers(0, 15, count))
    goal = np.repeat(np.arange(count), per_goal)
    offset = (rng.random(len(goal)) * days[goal]).astype(np.int64) + 1
    is_last = np.zeros(len(goal), dtype=bool)
    is_last[np.cumsum(per_goal)[per_goal > 0] - 1] = True
    offset = np.where(is_last, recent[goal], offset)
    drawn_checkins = pd.DataFrame({"goal": goal, "offset": offset}).drop_duplicates().sort_values(["goal", "offset"])
    goal, offset = drawn_checkins["goal"].to_numpy(), drawn_checkins["offset"].to_numpy()
    day = started[goal] + offset.astype("timedelta64[D]")
    line = np.clip((day - started[goal]).astype(np.int64) / np.maximum(length[goal], 1), 0.0, 1.0)
    value = np.minimum(target[goal], line * factor[goal] * rng.uniform(0.95, 1.1, len(goal)) * target[goal])
    value = np.where(whole[goal], np.round(value), np.round(value / 5) * 5.0)
    value = pd.Series(value).groupby(goal).cummax().to_numpy()  # progress never goes back on its own
    parts = [pd.DataFrame({"goal": goal, "checked_on": day, "value": value, "note": None})]
    last = pd.DataFrame({"goal": goal, "checked_on": day, "value": value}).groupby("goal").last()
    checkins_so_far = np.bincount(goal, minlength=count)
    done = np.flatnonzero(scenario == "completed")
    parts.append(pd.DataFrame({"goal": done, "checked_on": end[done], "value": target[done], "note": "Done."}))
    # A few goals that are behind were sent back a step (reviewer comments).
    back = (scenario == "behind") & (checkins_so_far >= 3) & ~whole & (rng.random(count) < 0.5)
    back = np.flatnonzero(back)
    parts.append(
        pd.DataFrame(
            {
                "goal": back,
                "checked_on": last.loc[back, "checked_on"].to_numpy(),
                "value": np.maximum(0.0, last.loc[back, "value"].to_numpy() - 10),
                "note": STEP_BACK_NOTE,
            }
        )
    )
    for index in np.flatnonzero(~drawn):  # the demo fellow's goals: values fixed rather than drawn
        fixed = goals["values"].iloc[index]
        parts.append(
            pd.DataFrame(
                {
                    "goal": index,
                    "checked_on": [now - ago for ago, _ in fixed],
                    "value": [float(v) for _, v in fixed],
                    "note": None,
                }
            )
        )
    checkins = pd.concat(parts, ignore_index=True).sort_values("goal", kind="stable")
    checked_on = checkins["checked_on"].to_numpy().astype("datetime64[D]")
    checkins = pd.DataFrame(
        {
            "goal_id": goals["goal_id"].to_numpy()[checkins["goal"].to_numpy()],
            "checked_on": checked_on,
            "value": checkins["value"].to_numpy(dtype=float),
            "note": checkins["note"].astype("string").to_numpy(),
            "recorded_at": _at(checked_on, 18),
        }
    )
    changed = np.flatnonzero(np.isin(scenario, ["completed", "dropped", "paused"]))
    notes = np.array(DROP_NOTES, dtype=object)[rng.integers(0, len(DROP_NOTES), len(changed))]
    kind = scenario[changed]
    changes = pd.DataFrame(
        {
            "goal_id": goals["goal_id"].to_numpy()[changed],
            "status": kind,
            "note": np.select([kind == "completed", kind == "paused"], ["Reached the target early.", PAUSE_NOTE], notes),
            "changed_on": end[changed],
            "recorded_at": _at(end[changed], 19),
        }
    )
    return checkins, changes


def _at(days: np.ndarray, hour: int) -> np.ndarray:
    return (days.astype("datetime64[D]") + np.timedelta64(hour, "h")).astype("datetime64[us]")
