"""The demo program's mentoring networks and outputs, generated deterministically from the demo's random
generator. Called from demo/build.py inside its one write transaction.

- Networks: most fellows list mentors themselves: a program mentor covering a further domain, another
  program mentor, or someone outside the program ("Dr. Lee (former PI)"). Some fellows leave a domain
  uncovered; the demo fellow has no social/interpersonal mentor, so the gap warning shows.
- Outputs grow over each fellow's time in the program: abstracts and presentations are common,
  publications fewer, grants and awards rare. Some carry a valid DOI, PMID or grant number. No date
  is after today.
"""

from datetime import date

import numpy as np
import pandas as pd

from analytics.bulk import insert_frame, insert_network_entries
from demo.program import DOMAINS, none_where

OUTSIDE_MENTORS = (
    "Dr. Lee (former PI)",
    "Dr. Okonkwo (residency program director)",
    "Prof. Alvarez (lab collaborator)",
    "Dr. Singh (peer mentor)",
    "Dr. Nguyen (clinic attending)",
    "Dr. Haddad (former chief resident)",
    "Prof. Keller (biostatistics)",
)
# Outputs a fellow adds per year at full pace; the pace ramps up over the first years.
YEARLY_RATES = {"abstract": 2.2, "presentation": 1.6, "publication": 0.8, "grant": 0.15, "award": 0.15}
_TOPICS = (
    "CAR T-cell therapy",
    "venetoclax-based regimens",
    "emicizumab prophylaxis in hemophilia A",
    "hydroxyurea adherence in sickle cell disease",
    "cancer-associated venous thromboembolism",
    "iron deficiency in pregnancy",
    "TP53-mutated acute myeloid leukemia",
    "transition of care in sickle cell disease",
    "immune thrombocytopenia",
    "JAK inhibition in myelofibrosis",
    "measurable residual disease in acute lymphoblastic leukemia",
    "caplacizumab in thrombotic thrombocytopenic purpura",
    "clonal hematopoiesis of indeterminate potential",
    "bispecific antibodies in multiple myeloma",
)
_SETTINGS = (
    "older adults",
    "a single-center cohort",
    "adolescents and young adults",
    "a multicenter retrospective study",
    "a real-world registry",
    "a prospective pilot study",
)
_OUTCOMES = ("Outcomes of", "Safety and efficacy of", "Predictors of response to", "Disparities in access to", "Cost of")
_AWARDS = (
    "ASH Abstract Achievement Award",
    "Best fellow poster, regional hematology meeting",
    "Fellow teaching award",
    "Travel award, ASH Annual Meeting",
    "Outstanding fellow research presentation",
)
_GRANTS = (
    "ASH Research Training Award for Fellows",
    "NIH F32 fellowship",
    "Institutional T32 training grant",
    "Foundation pilot grant",
)


def generate(
    cur,
    rng: np.random.Generator,
    program_id: int,
    fellow_ids,
    mentor_ids,
    pairs: pd.DataFrame,
    today: date,
    demo_fellow: int,
    mentor_range: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict:
    """Insert network entries and outputs for the demo program's fellows; returns their counts.

    `mentor_range`, for fellows of several programs: per fellow, the first position among `mentor_ids` of
    their program's mentors and how many there are (another program mentor they list is one of those).

    Drawn in whole arrays (one numpy call per quantity for all fellows), so a program of thousands of
    fellows takes about as many numpy calls as one of thirty.
    """
    fellows = np.array([int(f) for f in fellow_ids], dtype=np.int64)
    mentors = np.array([int(m) for m in mentor_ids], dtype=np.int64)
    position = pd.Series(np.arange(len(fellows)), index=fellows)
    mine = pairs[pairs["mentee_id"].isin(fellows)]
    at = position[mine["mentee_id"].to_numpy()].to_numpy()  # each pair's fellow, as a position
    started = mine["started_on"].to_numpy().astype("datetime64[D]")
    today_day = np.datetime64(today)
    since = np.full(len(fellows), today_day - 365)
    has_pair = np.zeros(len(fellows), dtype=bool)
    if len(mine):
        earliest = pd.Series(started).groupby(at).min()
        since[earliest.index.to_numpy()] = earliest.to_numpy().astype("datetime64[D]")
        has_pair[at] = True
    # A fellow whose fellowship ended (every pair ended) adds nothing after its end.
    until = np.full(len(fellows), today_day)
    if "ended_on" in mine.columns and len(mine):
        ended = mine["ended_on"].to_numpy().astype("datetime64[D]")
        last = pd.Series(np.where(np.isnat(ended), today_day, np.minimum(ended, today_day))).groupby(at).max()
        until[last.index.to_numpy()] = last.to_numpy().astype("datetime64[D]")
    is_demo = fellows == demo_fellow
    entries = _network(rng, fellows, mentors, mine, at, since, until, is_demo, mentor_range)
    outputs = _outputs(rng, fellows, since, until, is_demo)
    insert_network_entries(cur, entries)
    insert_frame(cur, "outputs", outputs)
    return {"network_entries": len(entries), "outputs": len(outputs)}


def _moments(rng, start: np.ndarray, latest: np.ndarray) -> np.ndarray:
    """Per row, a moment between its `start` day (9:00 to 18:00) and its `latest` day (never after its midnight)."""
    span = np.maximum((latest - start).astype(np.int64), 0) + 1
    day = start + (rng.random(len(start)) * span).astype(np.int64).astype("timedelta64[D]")
    moment = day.astype("datetime64[m]") + (9 * 60 + rng.integers(0, 9 * 60, len(start))).astype("timedelta64[m]")
    return np.minimum(moment, latest.astype("datetime64[m]")).astype("datetime64[us]")


def _network(rng, fellows, mentors, mine: pd.DataFrame, at, since, until, is_demo, mentor_range=None) -> pd.DataFrame:
    """Rows (fellow_id, mentor_person_id, mentor_name, domain, added_at, removed_at). A program mentor's name
    is None here: it is filled in from `people` on insert.

    Per fellow, in order: a pair mentor who also covers the first domain no pair covers; another program
    mentor for any domain; someone outside the program for what is still open; and, for a few, someone
    listed once and taken off again. A few fellows list nobody; some leave one domain open on purpose
    (the demo fellow never covers social/interpersonal).
    """
    count = len(fellows)
    domain_of = {name: index for index, name in enumerate(DOMAINS)}
    covered = np.zeros((count, len(DOMAINS)), dtype=bool)
    covered[at, mine["domain"].map(domain_of).to_numpy(dtype=np.int64)] = True
    listing = is_demo | (rng.random(count) >= 0.1)  # a few fellows have not listed anyone themselves
    gap = np.where(rng.random(count) < 0.15, rng.integers(0, len(DOMAINS), count), -1)
    gap[is_demo] = domain_of["social"]
    rows_of = []  # (fellow position, mentor person or -1, outside name or "", domain, removed)

    def uncovered() -> np.ndarray:
        free = ~covered
        free[np.arange(count), np.maximum(gap, 0)] &= gap < 0
        return free

    def add(mask, mentor, name, domains, removed=False):
        """domains: one domain per fellow (-1: none), or a fellows x domains table of which to add."""
        table = (
            domains if domains.ndim == 2 else np.eye(len(DOMAINS), dtype=bool)[np.maximum(domains, 0)] & (domains >= 0)[:, None]
        )
        table = table & mask[:, None]
        table[np.arange(count), np.maximum(gap, 0)] &= gap < 0
        who, domain = np.nonzero(table)
        rows_of.append((who, mentor[who], name[who], domain, np.full(len(who), removed)))
        if not removed:
            covered[who, domain] = True

    none = np.full(count, "", dtype=object)
    no_one = np.full(count, -1)
    # A pair mentor who also covers another domain: the first one that no pair covers.
    free = uncovered()
    first_free = np.where(free.any(axis=1), free.argmax(axis=1), -1)
    pick = rng.random(count)
    which = mine.groupby(at).size().reindex(np.arange(count), fill_value=0).to_numpy()
    offsets = np.concatenate([[0], np.cumsum(which)[:-1]])
    ordered = mine.iloc[np.argsort(at, kind="stable")]["mentor_id"].to_numpy()
    chosen = no_one
    if len(ordered):
        chosen = np.where(which > 0, ordered[np.minimum(offsets + (pick * which).astype(np.int64), len(ordered) - 1)], -1)
    add(listing & (which > 0) & (first_free >= 0) & (is_demo | (rng.random(count) < 0.6)), chosen, none, first_free)
    # Another program mentor (not one of the fellow's pairs), for any domain.
    if mentor_range is not None:  # several programs: one of the fellow's own program's mentors
        other = mentors[mentor_range[0] + rng.integers(0, np.maximum(mentor_range[1], 1))]
    else:
        other = mentors[rng.integers(0, len(mentors), count)] if len(mentors) else no_one
    span = int(max(mentors.max(initial=0), 0)) + 1  # a fellow's pairs as one number each: position * span + mentor
    not_theirs = ~np.isin(np.arange(count) * span + other, at * span + mine["mentor_id"].to_numpy(dtype=np.int64))
    add(listing & ~is_demo & not_theirs & (other >= 0) & (rng.random(count) < 0.35), other, none, rng.integers(0, 3, count))
    # Someone outside the program fills what is left (the demo fellow: their former PI, for research).
    outside = np.array(OUTSIDE_MENTORS, dtype=object)[rng.integers(0, len(OUTSIDE_MENTORS), count)]
    outside[is_demo] = OUTSIDE_MENTORS[0]
    free = uncovered()
    fill = np.where(free.any(axis=1, keepdims=True), free, np.eye(len(DOMAINS), dtype=bool)[rng.integers(0, 3, count)])
    fill[is_demo] = np.array([d == "research" for d in DOMAINS])
    add(listing & (is_demo | free.any(axis=1) | (rng.random(count) < 0.3)), no_one, outside, fill)
    # History: someone listed once and taken off again.
    former = np.array(OUTSIDE_MENTORS, dtype=object)[rng.integers(0, len(OUTSIDE_MENTORS), count)]
    add(listing & ~is_demo & (rng.random(count) < 0.15), no_one, former, rng.integers(0, 3, count), removed=True)

    who = np.concatenate([part[0] for part in rows_of])
    order = np.argsort(who, kind="stable")  # each fellow's entries together, in the order above
    who = who[order]
    mentor = np.concatenate([part[1] for part in rows_of])[order]
    name = np.concatenate([part[2] for part in rows_of])[order]
    domain = np.concatenate([part[3] for part in rows_of])[order]
    removed = np.concatenate([part[4] for part in rows_of])[order]
    latest = until[who]
    added = _moments(rng, since[who], latest)
    taken_off = _moments(rng, added.astype("datetime64[D]"), latest)
    return pd.DataFrame(
        {
            "row": np.arange(len(who)),
            "fellow_id": fellows[who],
            "mentor_person_id": pd.array(none_where(mentor < 0, mentor), dtype="Int64"),
            "mentor_name": pd.array(none_where(name == "", name), dtype="string"),
            "domain": np.array(DOMAINS)[domain],
            "added_at": added,
            "removed_at": pd.Series(taken_off).where(removed),
        }
    )


def _outputs(rng, fellows, since, until, is_demo) -> pd.DataFrame:
    """Outputs per fellow and month at a pace that ramps up over the years; none after `until` (today or
    the fellowship's end). Titles, dates and identifiers are unique per fellow."""
    count = len(fellows)
    first_month = since.astype("datetime64[M]")
    months = np.maximum((until.astype("datetime64[M]") - first_month).astype(np.int64), 0) + 1
    scale = np.where(is_demo, 2.0, rng.uniform(0.4, 1.4, count))  # some fellows are more productive than others
    who = np.repeat(np.arange(count), months)
    month = np.arange(len(who)) - np.repeat(np.cumsum(months) - months, months)
    ramp = np.minimum(0.25 + month / 24, 1.2)  # new fellows produce little; the pace grows over the years
    kinds = list(YEARLY_RATES)
    rates = np.array([YEARLY_RATES[kind] for kind in kinds]) / 12
    produced = rng.poisson((ramp * scale[who])[:, None] * rates)  # months x kinds
    cell, kind = np.nonzero(produced)
    repeat = produced[cell, kind]
    cell, kind = np.repeat(cell, repeat), np.repeat(kind, repeat)
    owner = who[cell]
    day = (first_month[owner] + month[cell]).astype("datetime64[D]") + rng.integers(0, 28, len(cell)).astype("timedelta64[D]")
    inside = (day <= until[owner]) & (day >= since[owner])
    owner, kind, day = owner[inside], kind[inside], day[inside]
    titles, id_kinds, identifiers = _describe(rng, np.array(kinds)[kind], day)
    latest = until[owner].astype("datetime64[m]")
    recorded = day.astype("datetime64[m]") + np.timedelta64(17 * 60, "m") + rng.integers(0, 21, len(day)).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "owner_id": fellows[owner],
            "kind": np.array(kinds)[kind],
            "title": titles,
            "happened_on": day,
            "identifier_kind": id_kinds,
            "identifier": identifiers,
            "recorded_at": np.minimum(recorded, latest).astype("datetime64[us]"),
        }
    )
    frame = frame.drop_duplicates(["owner_id", "kind", "title", "happened_on"])
    with_identifier = frame["identifier"].notna()
    duplicate = frame.duplicated(["owner_id", "identifier_kind", "identifier"]) & with_identifier
    return frame[~duplicate].reset_index(drop=True)


def _describe(rng, kinds: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Title, identifier kind and identifier per output, from a few lists and random numbers.

    Built column-wise with pandas string operations (a Python loop over 200,000 outputs took 3 s).
    """
    count = len(kinds)

    def pick(texts) -> pd.Series:
        return pd.Series(np.array(texts, dtype=object)[rng.integers(0, len(texts), count)], dtype=object)

    def number(low: int, high: int) -> pd.Series:
        return pd.Series(rng.integers(low, high, count)).astype(str).astype(object)

    topic, setting, outcome = pick(_TOPICS), pick(_SETTINGS), pick(_OUTCOMES)
    venue = pick(["Grand rounds", "Journal club", "Research in progress", "Oral presentation"])
    grant, award = pick(_GRANTS), pick(_AWARDS)
    roll = rng.random(count)
    journal = pick(["blood", "bloodadvances"])
    doi_number, pmid = number(0, 10**6).str.zfill(6), number(35_000_000, 40_000_000)
    abstract_number, grant_number = number(100_000, 999_999), number(1000, 999_999)
    year = pd.Series(days.astype("datetime64[Y]").astype(np.int64) + 1970).astype(str).astype(object)
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    kind = pd.Series(kinds, dtype=object)
    meeting = pd.Series(
        np.select([month >= 11, np.isin(month, [5, 6])], ["ASH Annual Meeting", "EHA Congress"], "Regional hematology meeting"),
        dtype=object,
    )
    prefix = pd.Series(
        np.select(
            [grant.str.startswith("NIH"), grant.str.startswith("Ins"), grant.str.startswith("ASH")],
            ["F32 HL", "T32 HL", "RTAF-"],
            "FPG/",
        ),
        dtype=object,
    )
    prefix = prefix.where(~prefix.isin(["RTAF-", "FPG/"]), prefix + year + np.where(prefix == "RTAF-", "-", "/"))
    capitalised = topic.str[0].str.upper() + topic.str[1:]
    is_ = {name: (kind == name).to_numpy() for name in YEARLY_RATES}
    title = pd.Series(award, dtype=object)
    title[is_["publication"]] = (outcome + " " + topic + " in " + setting)[is_["publication"]]
    title[is_["abstract"]] = (capitalised + " in " + setting + " (" + meeting + " " + year + ")")[is_["abstract"]]
    title[is_["presentation"]] = (venue + ": " + topic)[is_["presentation"]]
    title[is_["grant"]] = (grant + ": " + topic)[is_["grant"]]
    publication_doi = is_["publication"] & (roll < 0.55)
    publication_pmid = is_["publication"] & (roll >= 0.55) & (roll < 0.8)
    abstract_doi = is_["abstract"] & (roll < 0.3)
    id_kind = pd.Series(
        np.select([publication_doi | abstract_doi, publication_pmid, is_["grant"]], ["doi", "pmid", "grant"], ""), dtype=object
    )
    identifier = pd.Series([None] * count, dtype=object)
    identifier[publication_doi] = ("10.1182/" + journal + "." + year + doi_number)[publication_doi]
    identifier[publication_pmid] = pmid[publication_pmid]
    identifier[abstract_doi] = ("10.1182/blood-" + year + "-" + abstract_number)[abstract_doi]
    identifier[is_["grant"]] = (prefix + grant_number)[is_["grant"]]
    id_kind = id_kind.to_numpy()
    return title.to_numpy(), none_where(id_kind == "", id_kind), identifier.to_numpy()
