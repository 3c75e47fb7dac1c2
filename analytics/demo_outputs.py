"""The demo program's mentoring networks and outputs, generated deterministically from the demo's random
generator. Called from analytics/demo.py inside its one write transaction.

- Networks: most fellows list mentors themselves: a program mentor covering a further domain, another
  program mentor, or someone outside the program ("Dr. Lee (former PI)"). Some fellows leave a domain
  uncovered; the demo fellow has no social/interpersonal mentor, so the gap warning shows.
- Outputs grow over each fellow's time in the program: abstracts and presentations are common,
  publications fewer, grants and awards rare. Some carry a valid DOI, PMID or grant number. No date
  is after today.
"""

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

DOMAINS = ("career", "research", "social")
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
    cur, rng: np.random.Generator, program_id: int, fellow_ids, mentor_ids, pairs: pd.DataFrame, today: date, demo_fellow: int
) -> dict:
    """Insert network entries and outputs for the demo program's fellows; returns their counts."""
    pairs = pairs.assign(started_on=[pd.Timestamp(value).date() for value in pairs["started_on"]])
    latest = datetime.combine(today, time.min)
    mentor_list = [int(m) for m in mentor_ids]
    entries: list[tuple] = []
    outputs: list[tuple] = []
    for fellow in (int(f) for f in fellow_ids):
        mine = pairs[pairs["mentee_id"] == fellow]
        since = min(mine["started_on"], default=today - timedelta(days=365))
        entries += _network(rng, fellow, mine, mentor_list, since, latest, is_demo=fellow == demo_fellow)
        outputs += _outputs(rng, fellow, since, today, latest, is_demo=fellow == demo_fellow)
    if entries:
        frame = pd.DataFrame(
            entries, columns=["fellow_id", "mentor_person_id", "mentor_name", "domain", "added_at", "removed_at"]
        )
        frame["mentor_person_id"] = frame["mentor_person_id"].astype("Int64")
        _append(cur, "network_entries", frame)
    if outputs:
        frame = pd.DataFrame(
            outputs, columns=["owner_id", "kind", "title", "happened_on", "identifier_kind", "identifier", "recorded_at"]
        )
        _append(cur, "outputs", frame)
    return {"network_entries": len(entries), "outputs": len(outputs)}


def _append(cur, table: str, frame: pd.DataFrame) -> None:
    """Append rows; ids come from the tables' sequences, a program mentor's name from `people`."""
    cur.register("incoming_demo", frame)
    if table == "network_entries":
        cur.execute(
            """
            INSERT INTO network_entries (fellow_id, mentor_person_id, mentor_name, domain, added_at, removed_at)
            SELECT i.fellow_id, i.mentor_person_id, coalesce(i.mentor_name, p.full_name), i.domain, i.added_at, i.removed_at
            FROM incoming_demo i LEFT JOIN people p ON p.person_id = i.mentor_person_id
            """
        )
    else:
        cur.execute(
            """
            INSERT INTO outputs (owner_id, kind, title, happened_on, identifier_kind, identifier, recorded_at)
            SELECT owner_id, kind, title, happened_on, identifier_kind, identifier, recorded_at FROM incoming_demo
            """
        )
    cur.unregister("incoming_demo")


def _moment(rng, start: date, latest: datetime) -> datetime:
    """A moment between `start` and `latest` (never after it)."""
    span = max((latest.date() - start).days, 0)
    day = start + timedelta(days=int(rng.integers(0, span + 1)))
    return min(datetime.combine(day, time(9)) + timedelta(minutes=int(rng.integers(0, 9 * 60))), latest)


def _network(rng, fellow: int, mine: pd.DataFrame, mentors: list[int], since: date, latest: datetime, is_demo: bool):
    """Rows (fellow_id, mentor_person_id, mentor_name, domain, added_at, removed_at). A program mentor's name
    is None here: it is filled in from `people` on insert."""
    if not is_demo and rng.random() < 0.1:  # a few fellows have not listed anyone themselves
        return []
    covered = set(mine["domain"])
    # A few fellows leave a domain open; the demo fellow never covers social/interpersonal.
    gap = "social" if is_demo else (str(rng.choice(DOMAINS)) if rng.random() < 0.15 else None)
    rows = []

    def add(person_id, name, domains, removed=False):
        for domain in domains:
            if domain == gap or (person_id, name, domain) in {(r[1], r[2], r[3]) for r in rows if r[5] is None}:
                continue
            added = _moment(rng, since, latest)
            rows.append((fellow, person_id, name, domain, added, _moment(rng, added.date(), latest) if removed else None))
            if not removed:
                covered.add(domain)

    def uncovered() -> list[str]:
        return [d for d in DOMAINS if d not in covered and d != gap]

    if len(mine) and uncovered() and (is_demo or rng.random() < 0.6):  # a pair mentor who also covers another domain
        pair = mine.iloc[int(rng.integers(0, len(mine)))]
        add(int(pair["mentor_id"]), None, uncovered()[:1])
    others = [m for m in mentors if m not in set(mine["mentor_id"].astype(int))]
    if others and not is_demo and rng.random() < 0.35:  # another program mentor, for any domain
        add(int(rng.choice(others)), None, [str(rng.choice(DOMAINS))])
    if is_demo:
        add(None, OUTSIDE_MENTORS[0], ["research"])
    elif uncovered() or rng.random() < 0.3:  # someone outside the program fills what is left
        add(None, str(rng.choice(OUTSIDE_MENTORS)), uncovered() or [str(rng.choice(DOMAINS))])
    if not is_demo and rng.random() < 0.15:  # history: someone listed once and taken off again
        add(None, str(rng.choice(OUTSIDE_MENTORS)), [str(rng.choice(DOMAINS))], removed=True)
    return rows


def _outputs(rng, fellow: int, since: date, today: date, latest: datetime, is_demo: bool) -> list[tuple]:
    rows: list[tuple] = []
    seen: set[tuple] = set()
    months = max((today.year - since.year) * 12 + today.month - since.month, 0)
    scale = 2.0 if is_demo else float(rng.uniform(0.4, 1.4))  # some fellows are more productive than others
    for month in range(months + 1):
        ramp = min(0.25 + month / 24, 1.2)  # new fellows produce little; the pace grows over the years
        first = _add_months(since.replace(day=1), month)
        for kind, rate in YEARLY_RATES.items():
            for _ in range(int(rng.poisson(rate / 12 * ramp * scale))):
                day = first + timedelta(days=int(rng.integers(0, 28)))
                if day > today or day < since:
                    continue
                title, id_kind, identifier = _describe(rng, kind, day)
                if (kind, title, day) in seen or (id_kind, identifier) in seen:
                    continue
                seen.add((kind, title, day))
                if id_kind:
                    seen.add((id_kind, identifier))
                recorded = min(datetime.combine(day, time(17)) + timedelta(days=int(rng.integers(0, 21))), latest)
                rows.append((fellow, kind, title, day, id_kind, identifier, recorded))
    return rows


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _describe(rng, kind: str, day: date) -> tuple[str, str | None, str | None]:
    topic = str(rng.choice(_TOPICS))
    setting = str(rng.choice(_SETTINGS))
    if kind == "publication":
        title = f"{rng.choice(_OUTCOMES)} {topic} in {setting}"
        roll = rng.random()
        if roll < 0.55:
            journal = str(rng.choice(["blood", "bloodadvances"]))
            return title, "doi", f"10.1182/{journal}.{day.year}{int(rng.integers(0, 10**6)):06d}"
        if roll < 0.8:
            return title, "pmid", str(int(rng.integers(35_000_000, 40_000_000)))
        return title, None, None
    if kind == "abstract":
        meeting = (
            "ASH Annual Meeting" if day.month >= 11 else "EHA Congress" if day.month in (5, 6) else "Regional hematology meeting"
        )
        title = f"{topic[0].upper()}{topic[1:]} in {setting} ({meeting} {day.year})"
        if rng.random() < 0.3:
            return title, "doi", f"10.1182/blood-{day.year}-{int(rng.integers(100_000, 999_999))}"
        return title, None, None
    if kind == "presentation":
        venue = str(rng.choice(["Grand rounds", "Journal club", "Research in progress", "Oral presentation"]))
        return f"{venue}: {topic}", None, None
    if kind == "grant":
        name = str(rng.choice(_GRANTS))
        prefix = {"NIH": "F32 HL", "Ins": "T32 HL", "ASH": f"RTAF-{day.year}-", "Fou": f"FPG/{day.year}/"}[name[:3]]
        number = f"{prefix}{int(rng.integers(1000, 999_999))}"
        return f"{name}: {topic}", "grant", number
    return str(rng.choice(_AWARDS)), None, None
