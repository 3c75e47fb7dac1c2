"""A fellow's outputs: publications, abstracts, grants, awards and presentations, each with a date and
an optional identifier (DOI, PMID or grant number). Append-only: an output once logged stays.

The fellow sees their own; a mentor sees them only where the fellow shares 'outputs' with them
(analytics/access.py). "Today" and "now" are always parameters.
"""

import re
from datetime import date, datetime

import duckdb
import pandas as pd

from analytics.access import recorded_before, require_shared
from analytics.changes import personal_reads, touched
from analytics.checks import as_date, clean_text, not_before_earliest, required_text, shown
from analytics.errors import AccessDenied, InputError
from analytics.people import Viewer
from analytics.store import Store, scalar

KINDS = ("publication", "abstract", "grant", "award", "presentation")
KIND_LABELS = {
    "publication": "Publication",
    "abstract": "Abstract",
    "grant": "Grant",
    "award": "Award",
    "presentation": "Presentation",
}
IDENTIFIER_KINDS = {"doi": "DOI", "pmid": "PMID", "grant": "Grant number"}
MIN_TITLE, MAX_TITLE = 2, 300
MAX_IDENTIFIER = 200
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_PMID = re.compile(r"^\d{1,8}$")
_GRANT = re.compile(r"^[A-Za-z0-9 /-]{3,40}$")
_EXAMPLES = {"doi": "10.1182/blood.2024012345", "pmid": "38123456", "grant": "K08 HL123456"}


def check_identifier(identifier_kind: str | None, identifier: str | None) -> tuple[str | None, str | None]:
    """(kind, identifier) as stored, (None, None) for none, or InputError saying what is wrong.

    A DOI loses a leading https://doi.org/ or doi:; an identifier needs its kind and a kind its identifier.
    """
    value = clean_text(identifier, "The identifier", MAX_IDENTIFIER) or ""
    kind = identifier_kind or None
    if kind is None:
        if value:
            raise InputError(f"Choose what the identifier '{shown(value, 50)}' is ({', '.join(IDENTIFIER_KINDS.values())}).")
        return None, None
    if kind not in IDENTIFIER_KINDS:
        raise InputError(f"Choose the kind of identifier from {', '.join(IDENTIFIER_KINDS.values())}.")
    what = IDENTIFIER_KINDS[kind]
    if not value:
        raise InputError(f"Enter the {what}, or choose no identifier.")
    if kind == "doi":
        value = _DOI_PREFIX.sub("", value).strip()
        if not _DOI.match(value):
            raise InputError(
                f"'{shown(value, 80)}' is not a DOI: a DOI starts with 10., then 4 to 9 digits, a '/' and the rest, "
                f"such as {_EXAMPLES['doi']}."
            )
    elif kind == "pmid":
        if not _PMID.match(value):
            raise InputError(f"'{shown(value, 80)}' is not a PMID: a PMID is 1 to 8 digits, such as {_EXAMPLES['pmid']}.")
    elif not _GRANT.match(value) or not any(ch.isalnum() for ch in value):
        raise InputError(
            f"'{shown(value, 80)}' is not a grant number: use 3 to 40 letters, digits, spaces, '-' and '/', "
            f"such as {_EXAMPLES['grant']}."
        )
    return kind, value


def link_for(identifier_kind: str | None, identifier: str | None) -> str | None:
    """A web address for a DOI or PMID, None otherwise."""
    if identifier_kind == "doi" and identifier:
        return f"https://doi.org/{identifier}"
    if identifier_kind == "pmid" and identifier:
        return f"https://pubmed.ncbi.nlm.nih.gov/{identifier}/"
    return None


def log_output(
    store: Store,
    viewer: Viewer,
    kind: str,
    title: str,
    happened_on: date,
    today: date,
    now: datetime,
    identifier_kind: str | None = None,
    identifier: str | None = None,
) -> int:
    """Log one output of the viewer (a fellow); returns its id. Nothing is stored when anything is wrong."""
    if viewer is None or not viewer.has("fellow"):
        raise AccessDenied("Only a fellow logs their own outputs.")
    if kind not in KINDS:
        raise InputError(f"Choose what kind of output this is: {', '.join(KIND_LABELS.values()).lower()}.")
    text = required_text(title, "The title", MAX_TITLE, missing="Give the output its title.", shortest=MIN_TITLE)
    happened_on = as_date(happened_on, "Choose the date of the output.")
    if happened_on > today:
        raise InputError(f"The date {happened_on:%Y-%m-%d} is after today; log an output once it has happened.")
    not_before_earliest(happened_on, "The date")
    id_kind, id_value = check_identifier(identifier_kind, identifier)

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        if id_kind is not None:
            same = cur.execute(
                """
                SELECT title, happened_on FROM outputs
                WHERE owner_id = $owner AND identifier_kind = $identifier_kind AND lower(identifier) = lower($identifier)
                LIMIT 1
                """,
                {"owner": viewer.person_id, "identifier_kind": id_kind, "identifier": id_value},
            ).fetchone()
            if same is not None:
                raise InputError(
                    f"You have already logged this {IDENTIFIER_KINDS[id_kind]}: '{same[0]}' ({same[1]:%Y-%m-%d}); "
                    "nothing was added."
                )
        same = cur.execute(
            """
            SELECT 1 FROM outputs
            WHERE owner_id = $owner AND kind = $kind AND lower(title) = lower($title) AND happened_on = $day
            """,
            {"owner": viewer.person_id, "kind": kind, "title": text, "day": happened_on},
        ).fetchone()
        if same is not None:
            raise InputError(
                f"You have already logged this {KIND_LABELS[kind].lower()} with that title and date; nothing was added."
            )
        return scalar(
            cur,
            """
            INSERT INTO outputs (owner_id, kind, title, happened_on, identifier_kind, identifier, recorded_at)
            VALUES ($owner, $kind, $title, $day, $identifier_kind, $identifier, $now) RETURNING output_id
            """,
            {
                "owner": viewer.person_id,
                "kind": kind,
                "title": text,
                "day": happened_on,
                "identifier_kind": id_kind,
                "identifier": id_value,
                "now": now,
            },
        )

    return store.write(work, touches=touched(viewer.program_id, "outputs", people=[viewer.person_id]))


@personal_reads("outputs")
def outputs_of(store: Store, viewer: Viewer, owner_id: int) -> pd.DataFrame:
    """The owner's outputs, newest first: output_id, kind_id, kind, title, happened_on, identifier_kind,
    identifier, link, recorded_at. The owner sees all; a mentor what the owner shares with them."""
    before = recorded_before(require_shared(store, viewer, owner_id, "outputs"))  # cut by when it was logged
    frame = store.query_df(
        """
        SELECT output_id, kind AS kind_id, title, happened_on, identifier_kind, identifier, recorded_at
        FROM outputs
        WHERE owner_id = $owner AND recorded_at < $before
        ORDER BY happened_on DESC, output_id DESC
        """,
        {"owner": owner_id, "before": before},
    )
    frame.insert(2, "kind", frame["kind_id"].map(KIND_LABELS))
    frame["happened_on"] = pd.Series([value.date() for value in frame["happened_on"]], dtype=object)
    frame.insert(
        frame.columns.get_loc("identifier") + 1,
        "link",
        [link_for(k, v) for k, v in zip(frame["identifier_kind"], frame["identifier"], strict=True)],
    )
    return frame


@personal_reads("outputs")
def cumulative_outputs(store: Store, viewer: Viewer, owner_id: int, through: date | None = None) -> pd.DataFrame:
    """Per month (first day) and kind the owner has: outputs added that month and the cumulative count.

    Every month from the owner's first output to the last one (or `through`, when later) has a row per
    kind, so the counts read as steps. Columns: month, kind_id, kind, added, cumulative.
    """
    before = recorded_before(require_shared(store, viewer, owner_id, "outputs"))  # cut by when it was logged
    frame = store.query_df(
        """
        WITH mine AS (
            SELECT kind, date_trunc('month', happened_on)::DATE AS month
            FROM outputs WHERE owner_id = $owner AND recorded_at < $before
        ),
        bounds AS (
            SELECT min(month) AS first_month,
                   greatest(max(month), coalesce(date_trunc('month', $through::DATE)::DATE, max(month))) AS last_month
            FROM mine HAVING count(*) > 0
        ),
        months AS (
            SELECT unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH))::DATE AS month FROM bounds
        ),
        kinds AS (SELECT DISTINCT kind FROM mine),
        added AS (SELECT month, kind, count(*) AS n FROM mine GROUP BY ALL)
        SELECT m.month, k.kind AS kind_id, coalesce(a.n, 0)::INTEGER AS added,
               sum(coalesce(a.n, 0)) OVER (PARTITION BY k.kind ORDER BY m.month)::INTEGER AS cumulative
        FROM months m CROSS JOIN kinds k
        LEFT JOIN added a ON a.month = m.month AND a.kind = k.kind
        ORDER BY list_position($kinds, k.kind), m.month
        """,
        {"owner": owner_id, "before": before, "through": through, "kinds": list(KINDS)},
    )
    frame.insert(2, "kind", frame["kind_id"].map(KIND_LABELS))
    frame["month"] = pd.Series([value.date() for value in frame["month"]], dtype=object)
    return frame
