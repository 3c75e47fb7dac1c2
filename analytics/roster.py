"""The program's people, managed by its directors: adding people, deactivating and reactivating them,
cohorts, first passwords, and importing a roster from a CSV file.

Only a program director manages people, and only in their own program. Nothing here reads or
returns ratings: names, emails, roles and cohorts are administration. Every write is one
transaction; a roster file is checked in full first (`parse_roster`), and `import_roster` stores
the checked rows together or not at all.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from analytics.auth import (
    RESET_CODE_LIFETIME,
    check_new_password,
    hash_password,
    new_reset_code,
    normalise_email,
    set_password_hash,
)
from analytics.changes import reads, touched
from analytics.checks import MAX_EMAIL, MAX_NAME, has_hidden, hidden_message, required_text, shown, whole_number
from analytics.errors import AccessDenied, InputError
from analytics.people import ROLES, Viewer
from analytics.store import Store

MAX_COHORT_NAME = 100
FIRST_START_YEAR, LAST_START_YEAR = 1950, 2100
MAX_ROSTER_BYTES = 2 * 1024 * 1024
MAX_ROSTER_ROWS = 5000
ROSTER_COLUMNS = ("full_name", "email", "roles", "cohort")
ROSTER_HEADER = ",".join(ROSTER_COLUMNS)
PROGRESS_CHUNK = 250
PREVIEW_COLUMNS = ["line", "status", "full_name", "email", "roles", "cohort", "problems"]
NOT_A_DIRECTOR = "Only a program director can manage the program's people."
# No spaces, no angle brackets, quotes or other characters an address cannot hold unquoted.
_EMAIL = re.compile(r"^[^@\s<>()\[\]\\,;:\"]+@[^@\s.<>()\[\]\\,;:\"]+(\.[^@\s.<>()\[\]\\,;:\"]+)+$")
_ROLE_SEPARATORS = re.compile(r"[;|]")
_ROLE_LIST = "fellow, mentor or director"


def _require_director(viewer: Viewer | None) -> Viewer:
    if viewer is None or not viewer.has("director"):
        raise AccessDenied(NOT_A_DIRECTOR)
    return viewer


# -- checks shared by the form and the roster file ---------------------------------------------


def check_name(value: object, what: str = "The name") -> str:
    return required_text(value, what, MAX_NAME, missing="Enter the person's full name.", name=True)  # type: ignore[arg-type]


def check_email(value: object) -> str:
    if value is not None and not isinstance(value, str):
        raise InputError("The email must be text.")
    email = normalise_email(value)  # type: ignore[arg-type]
    if not email:
        raise InputError("Enter the person's email address.")
    if has_hidden(email):
        raise InputError(hidden_message("The email"))
    if len(email) > MAX_EMAIL:
        raise InputError(f"The email is {len(email):,} characters long; an email address has at most {MAX_EMAIL}.")
    if not _EMAIL.match(email):
        raise InputError(f"'{shown(email)}' does not look like an email address (such as name@hospital.org).")
    return email


def check_roles(value: object) -> tuple[str, ...]:
    """A non-empty set of roles, in the order fellow, mentor, director. Text may list several with ; or |."""
    if value is None:
        parts: list = []
    elif isinstance(value, str):
        parts = _ROLE_SEPARATORS.split(value)
    elif isinstance(value, Iterable):
        parts = list(value)
    else:
        raise InputError(f"Choose at least one role: {_ROLE_LIST}.")
    roles: set[str] = set()
    for part in parts:
        if not isinstance(part, str):
            raise InputError(f"Choose roles from the list: {_ROLE_LIST}.")
        role = part.strip().lower()
        if not role:
            continue
        if role not in ROLES:
            raise InputError(
                f"'{shown(part.strip())}' is not a role; the roles are fellow, mentor and director "
                "(separate several with ; or |)."
            )
        roles.add(role)
    if not roles:
        raise InputError(f"Choose at least one role: {_ROLE_LIST}.")
    return tuple(role for role in ROLES if role in roles)


def _check_cohort(roles: Sequence[str], cohort_id: object, program_cohorts: dict[int, str]) -> int | None:
    """A fellow belongs to one of the program's cohorts; a mentor or director to none."""
    if "fellow" not in roles:
        if cohort_id is not None:
            raise InputError("Only fellows belong to a cohort; choose no cohort for a mentor or a director.")
        return None
    if cohort_id is None:
        raise InputError("A fellow needs a cohort: choose one of the program's cohorts (add the cohort first if it is new).")
    cohort = whole_number(cohort_id)
    if cohort is None or cohort not in program_cohorts:
        raise InputError("Choose a cohort of your program.")
    return cohort


def _program_cohorts(cur, program_id: int) -> dict[int, str]:
    rows = cur.execute(
        "SELECT cohort_id, name FROM cohorts WHERE program_id = $program ORDER BY start_year, name", {"program": program_id}
    )
    return dict(rows.fetchall())


def _email_owners(cur, emails: list[str]) -> dict[str, tuple[int, str, bool]]:
    """Who already has each of these emails (any program, any case): email -> (program, name, active)."""
    if not emails:
        return {}
    rows = cur.execute(
        "SELECT lower(email), program_id, full_name, active FROM people WHERE list_contains($emails::VARCHAR[], lower(email))",
        {"emails": emails},
    ).fetchall()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def cannot_add(email: str) -> str:
    """The sentence for an email that cannot be added for a reason outside this program.

    An email belongs to one person across every program of the database. Saying that it is used in
    another program would tell a director who is enrolled elsewhere, so the refusal names no reason
    and sends the director to whoever runs the app, who sees every program.
    """
    return (
        f"{email} cannot be added to this program. If the address is right, ask the operator who runs this app to look into it."
    )


def _taken(email: str, owner: tuple[int, str, bool], program_id: int) -> str:
    owner_program, name, active = owner
    if owner_program == program_id:
        state = "" if active else " (deactivated: reactivate them instead)"
        return f"{email} already belongs to {shown(name)} in this program{state}."
    return cannot_add(email)


def _person_in_program(cur, viewer: Viewer, person_id: object) -> tuple[str, bool]:
    """The name and active flag of a person of the viewer's program; anyone else is refused."""
    if whole_number(person_id) is None:
        raise AccessDenied("This person is not in your program.")
    row = cur.execute(
        "SELECT full_name, active FROM people WHERE person_id = $person AND program_id = $program",
        {"person": whole_number(person_id), "program": viewer.program_id},
    ).fetchone()
    if row is None:
        raise AccessDenied("This person is not in your program.")
    return row[0], row[1]


# -- people ----------------------------------------------------------------------------------------


def add_person(
    store: Store,
    viewer: Viewer,
    full_name: str,
    email: str,
    roles: Iterable[str] | str,
    cohort_id: int | None,
    now: datetime,
    *,
    password: str | None = None,
) -> int:
    """Add a person to the director's program; returns their person id.

    A new person has no password (they cannot sign in) unless `password` is given, in which case
    it is stored in the same transaction; `set_initial_password` gives one later.
    """
    viewer = _require_director(viewer)
    name = check_name(full_name)
    email = check_email(email)
    roles = check_roles(roles)
    password_hash = hash_password(check_new_password(password)) if password else None

    def work(cur) -> int:
        cohort = _check_cohort(roles, cohort_id, _program_cohorts(cur, viewer.program_id))
        owner = _email_owners(cur, [email]).get(email)
        if owner is not None:
            raise InputError(_taken(email, owner, viewer.program_id))
        person_id = cur.execute(
            """
            INSERT INTO people (program_id, full_name, email, cohort_id, created_at)
            VALUES ($program, $name, $email, $cohort, $now) RETURNING person_id
            """,
            {"program": viewer.program_id, "name": name, "email": email, "cohort": cohort, "now": now},
        ).fetchone()[0]
        cur.execute(
            "INSERT INTO person_roles SELECT $person, unnest($roles::VARCHAR[])", {"person": person_id, "roles": list(roles)}
        )
        if password_hash is not None:
            set_password_hash(cur, person_id, password_hash, now)
        return person_id

    try:
        return store.write(work, touches=touched(viewer.program_id, "people"))
    except duckdb.ConstraintException:
        with store.cursor() as cur:
            owner = _email_owners(cur, [email]).get(email)
        if owner is None or owner[0] != viewer.program_id:  # added elsewhere at the same moment: say no more
            raise InputError(cannot_add(email)) from None
        raise InputError(f"{email} was added by someone else a moment ago; the list below shows them.") from None


def set_initial_password(store: Store, viewer: Viewer, person_id: int, password: str, now: datetime) -> None:
    """A director hands out a first password. Once the person has signed in, the password is theirs to change."""
    viewer = _require_director(viewer)
    password_hash = hash_password(check_new_password(password))

    def work(cur) -> None:
        name, _active = _person_in_program(cur, viewer, person_id)
        person = {"person": int(person_id)}
        has_password = cur.execute("SELECT count(*) FROM accounts WHERE person_id = $person", person).fetchone()[0]
        signed_in = cur.execute("SELECT count(*) FROM sign_in_sessions WHERE person_id = $person", person).fetchone()[0]
        if has_password and signed_in:
            raise InputError(f"{shown(name)} has signed in already; they change their own password on My account.")
        set_password_hash(cur, int(person_id), password_hash, now)

    store.write(work, touches=touched(viewer.program_id, "people"))


def issue_reset_code(store: Store, viewer: Viewer, person_id: int, now: datetime) -> str:
    """A director's one-time code for an active person of their program to set a new password with
    (auth.reset_password); good for RESET_CODE_LIFETIME, voids the person's earlier unused code, and is
    recorded with who issued it and when. Returns the code, to hand over; only its SHA-256 is stored."""
    viewer = _require_director(viewer)
    if whole_number(person_id) == viewer.person_id:
        raise InputError("Change your own password on My account.")
    code, digest = new_reset_code()

    def work(cur) -> None:
        name, active = _person_in_program(cur, viewer, person_id)
        if not active:
            raise InputError(f"{shown(name)} is deactivated; reactivate them first.")
        # The director sees the code, so a code would let them take over the account: never another director's.
        director = cur.execute(
            "SELECT 1 FROM person_roles WHERE person_id = $person AND role = 'director'", {"person": int(person_id)}
        ).fetchone()
        if director is not None:
            raise InputError(f"{shown(name)} is a director: the code you would see could sign you in as them.")
        person = {"person": int(person_id), "now": now}
        cur.execute(
            """
            UPDATE password_reset_codes SET voided_at = $now
            WHERE person_id = $person AND used_at IS NULL AND voided_at IS NULL
            """,
            person,
        )
        cur.execute(
            "INSERT INTO password_reset_codes VALUES ($code, $person, $director, $now, $expires, NULL, NULL)",
            person | {"code": digest, "director": viewer.person_id, "expires": now + RESET_CODE_LIFETIME},
        )

    store.write(work, touches=touched(viewer.program_id, "people"))
    return code


@reads("people")
def reset_codes_issued(store: Store, viewer: Viewer) -> pd.DataFrame:
    """Every reset code issued for people of the director's program, newest first: for whom, by whom, when,
    until when, and when it was used or replaced. Never the code itself. Free of the clock, so a page can
    keep it until the next write; `reset_code_states` says what each is now."""
    viewer = _require_director(viewer)
    return store.query_df(
        """
        SELECT p.full_name AS person, d.full_name AS issued_by, c.issued_at, c.expires_at, c.used_at, c.voided_at
        FROM password_reset_codes c
        JOIN people p ON p.person_id = c.person_id
        LEFT JOIN people d ON d.person_id = c.issued_by
        WHERE p.program_id = $program
        ORDER BY c.issued_at DESC, p.full_name
        """,
        {"program": viewer.program_id},
    )


def reset_code_states(issued: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """The list of `reset_codes_issued` with each code's state at `now`: open, used (when), replaced or expired."""

    def state(code) -> str:
        if pd.notna(code.used_at):
            return "used " + pd.Timestamp(code.used_at).strftime("%Y-%m-%d %H:%M")
        if pd.notna(code.voided_at):
            return "replaced by a newer code"
        return "expired" if pd.Timestamp(code.expires_at) <= pd.Timestamp(now) else "open"

    states = [state(code) for code in issued.itertuples(index=False)]
    return issued.drop(columns=["used_at", "voided_at"]).assign(state=pd.Series(states, index=issued.index, dtype=object))


def deactivate_person(store: Store, viewer: Viewer, person_id: int, now: datetime, today: date | None = None) -> int:
    """The person can no longer sign in and is signed out everywhere; their history stays.

    Their open mentoring pairs end today as stopped (reason "Deactivated"), so nobody is asked to
    rate them and mentor loads stay true; returns how many pairs ended.
    """
    viewer = _require_director(viewer)
    today = today or now.date()
    if whole_number(person_id) == viewer.person_id:
        raise InputError("You cannot deactivate yourself; another director of the program can.")

    def work(cur) -> int:
        name, active = _person_in_program(cur, viewer, person_id)
        if not active:
            raise InputError(f"{shown(name)} is already deactivated.")
        person = {"person": int(person_id)}
        cur.execute("UPDATE people SET active = FALSE WHERE person_id = $person", person)
        cur.execute(
            "UPDATE sign_in_sessions SET ended_at = $now WHERE person_id = $person AND ended_at IS NULL", person | {"now": now}
        )
        ended = cur.execute(
            """
            UPDATE pairs SET ended_on = greatest(started_on, $today), end_status = 'stopped', end_reason = 'Deactivated'
            WHERE (mentor_id = $person OR mentee_id = $person) AND ended_on IS NULL
            RETURNING pair_id
            """,
            person | {"today": today},
        ).fetchall()
        # Like every pair's end, recorded with the day it was written (analytics/disclosure.py reads it).
        cur.execute(
            "INSERT INTO pair_log SELECT unnest($pairs::INTEGER[]), 'ended', $today",
            {"pairs": [row[0] for row in ended], "today": today},
        )
        return len(ended)

    return store.write(work, touches=touched(viewer.program_id, "people"))


def reactivate_person(store: Store, viewer: Viewer, person_id: int, now: datetime) -> None:
    """The person can sign in again (with their password); earlier sessions stay ended."""
    viewer = _require_director(viewer)

    def work(cur) -> None:
        name, active = _person_in_program(cur, viewer, person_id)
        if active:
            raise InputError(f"{shown(name)} is active already.")
        cur.execute("UPDATE people SET active = TRUE WHERE person_id = $person", {"person": int(person_id)})

    store.write(work, touches=touched(viewer.program_id, "people"))


@reads("people")
def people_list(store: Store, viewer: Viewer) -> pd.DataFrame:
    """Everyone of the director's program, active or not: names, emails, roles, cohort. Never ratings."""
    viewer = _require_director(viewer)
    return store.query_df(
        """
        SELECT p.person_id, p.full_name, p.email,
               coalesce(string_agg(r.role, ', ' ORDER BY list_position($roles, r.role)), '') AS roles,
               c.name AS cohort, p.active, a.person_id IS NOT NULL AS has_password
        FROM people p
        LEFT JOIN person_roles r ON r.person_id = p.person_id
        LEFT JOIN cohorts c ON c.cohort_id = p.cohort_id
        LEFT JOIN accounts a ON a.person_id = p.person_id
        WHERE p.program_id = $program
        GROUP BY ALL
        ORDER BY p.full_name, p.person_id
        """,
        {"roles": list(ROLES), "program": viewer.program_id},
    )


def filter_people(people: pd.DataFrame, role: str | None = None, status: str = "active") -> pd.DataFrame:
    """The rows of `people_list` with a role (None: any) and a status: 'active', 'deactivated' or 'everyone'."""
    if status not in ("active", "deactivated", "everyone"):
        raise ValueError(f"unknown status {status!r}")
    keep = pd.Series(True, index=people.index)
    if role is not None:
        keep &= people["roles"].map(lambda roles: role in roles.split(", "))
    if status != "everyone":
        keep &= people["active"] == (status == "active")
    return people[keep]


# -- cohorts ---------------------------------------------------------------------------------------


@reads("people")
def cohorts(store: Store, viewer: Viewer) -> pd.DataFrame:
    """The program's cohorts, newest first, with how many active fellows each has."""
    viewer = _require_director(viewer)
    return store.query_df(
        """
        SELECT c.cohort_id, c.name, c.start_year, count(p.person_id) FILTER (WHERE p.active) AS active_fellows
        FROM cohorts c LEFT JOIN people p ON p.cohort_id = c.cohort_id
        WHERE c.program_id = $program
        GROUP BY ALL
        ORDER BY c.start_year DESC, c.name
        """,
        {"program": viewer.program_id},
    )


def add_cohort(store: Store, viewer: Viewer, name: str, start_year: int) -> int:
    viewer = _require_director(viewer)
    clean = required_text(
        name, "The cohort name", MAX_COHORT_NAME, missing="Enter the cohort's name, such as 'Class of 2029'.", name=True
    )
    if whole_number(start_year) is None or not FIRST_START_YEAR <= int(start_year) <= LAST_START_YEAR:
        raise InputError(f"The start year is a year from {FIRST_START_YEAR} to {LAST_START_YEAR}.")

    def work(cur) -> int:
        exists = cur.execute(
            "SELECT count(*) FROM cohorts WHERE program_id = $program AND lower(name) = lower($name)",
            {"program": viewer.program_id, "name": clean},
        ).fetchone()[0]
        if exists:
            raise InputError(f"The program already has a cohort named '{shown(clean)}'.")
        return cur.execute(
            "INSERT INTO cohorts (program_id, name, start_year) VALUES ($program, $name, $start_year) RETURNING cohort_id",
            {"program": viewer.program_id, "name": clean, "start_year": int(start_year)},
        ).fetchone()[0]

    return store.write(work, touches=touched(viewer.program_id, "people"))


# -- the roster file -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterCheck:
    """What a roster file holds: the rows that can be stored, and every problem with its line number.

    Line 0 is the file as a whole. `preview` has one row per data line with its status.
    """

    valid_rows: list[dict]
    errors: list[tuple[int, str]]
    preview: pd.DataFrame
    rows: int  # data rows read (0 when the file as a whole was refused)

    @property
    def ready(self) -> bool:
        """Every row is fine: the whole file can be imported."""
        return not self.errors and bool(self.valid_rows)

    @property
    def refused(self) -> bool:
        """The file as a whole cannot be used (encoding, size, header...): no row was checked."""
        return self.rows == 0


def roster_template() -> bytes:
    """The header of a roster file, with a byte-order mark so spreadsheets open it as UTF-8."""
    return (ROSTER_HEADER + "\r\n").encode("utf-8-sig")


def _refused(message: str, line: int = 0) -> RosterCheck:
    return RosterCheck([], [(line, message)], pd.DataFrame(columns=PREVIEW_COLUMNS), 0)


def _split_file(text: str) -> tuple[tuple[int, list[str]] | None, list[tuple[int, list[str]]]]:
    """The header and the data rows, each with the line it starts on; blank rows are skipped.

    Raises csv.Error for a line the csv module cannot read, and OverflowError past MAX_ROSTER_ROWS.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header = None
    rows: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        if not any(field.strip() for field in fields):
            continue
        if header is None:
            header = (start, fields)
            continue
        rows.append((start, fields))
        if len(rows) > MAX_ROSTER_ROWS:
            raise OverflowError
    return header, rows


def _header_problem(names: list[str]) -> str | None:
    normalised = [name.strip().lower().replace(" ", "_") for name in names]
    expected = f"The first line must be the header {ROSTER_HEADER}."
    if len(normalised) == 1 and set(ROSTER_COLUMNS) <= set(normalised[0].split(";")):
        return 'The columns are separated by semicolons. Save the file as CSV with commas ("CSV UTF-8") and upload it again.'
    missing = [column for column in ROSTER_COLUMNS if column not in normalised]
    unknown = [
        shown(name.strip()) or "(empty)" for name, norm in zip(names, normalised, strict=True) if norm not in ROSTER_COLUMNS
    ]
    twice = [column for column in ROSTER_COLUMNS if normalised.count(column) > 1]
    problems = []
    if missing:
        problems.append(f"The header is missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}.")
    if unknown:
        problems.append(f"The header has unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.")
    if twice:
        problems.append(f"The header has {', '.join(twice)} more than once.")
    return " ".join([*problems, expected]) if problems else None


def _cohort_by_name(program_cohorts: dict[int, str]) -> dict[str, list[tuple[int, str]]]:
    by_name: dict[str, list[tuple[int, str]]] = {}
    for cohort_id, name in program_cohorts.items():
        by_name.setdefault(name.strip().lower(), []).append((cohort_id, name))
    return by_name


def _cohort_from_name(roles: Sequence[str], text: str, by_name: dict[str, list[tuple[int, str]]]) -> tuple[int, str] | None:
    names = sorted(name for matches in by_name.values() for _, name in matches)
    listed = ", ".join(f"'{shown(name)}'" for name in names[:10]) + (", ..." if len(names) > 10 else "")
    if "fellow" not in roles:
        if text:
            raise InputError("Only fellows belong to a cohort; leave the cohort empty for a mentor or a director.")
        return None
    if not names:
        raise InputError("A fellow needs a cohort, and the program has none yet; add the cohort on the People page first.")
    if not text:
        raise InputError(f"A fellow needs a cohort; write one of the program's cohorts: {listed}.")
    matches = by_name.get(text.lower(), [])
    exact = [match for match in matches if match[1] == text]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    if matches:
        raise InputError(f"More than one cohort is named '{shown(text)}' apart from capitals; write the name exactly.")
    raise InputError(f"The program has no cohort named '{shown(text)}'; use one of {listed} (or add it on this page first).")


def parse_roster(data: bytes, store: Store, viewer: Viewer) -> RosterCheck:
    """Check a roster file (header full_name,email,roles,cohort) against the director's program.

    Never raises for what the file holds: every problem comes back as (line, message). Nothing is stored.
    """
    viewer = _require_director(viewer)
    if not isinstance(data, bytes | bytearray | memoryview):
        return _refused("The upload is not a file.")
    data = bytes(data)
    if len(data) > MAX_ROSTER_BYTES:
        return _refused(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_ROSTER_BYTES // 1024 // 1024} MB. "
            "Split the file into smaller ones and import them one after the other."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return _refused(
            f"The file is not UTF-8 text (the first character it cannot read is on line {line}). "
            'In your spreadsheet, save it as UTF-8 ("CSV UTF-8") and upload it again.'
        )
    if not text.strip():
        return _refused(f"The file is empty. Its first line must be the header {ROSTER_HEADER}, then one person per line.")
    try:
        header, rows = _split_file(text)
    except OverflowError:
        return _refused(
            f"The file has more than {MAX_ROSTER_ROWS:,} people. Split the file into parts of at most "
            f"{MAX_ROSTER_ROWS:,} rows and import them one after the other."
        )
    except csv.Error as error:
        return _refused(f"The file cannot be read as CSV ({error}). Check the quotes, or save it again as CSV UTF-8.")
    if header is None:  # only blank rows
        return _refused(f"The file is empty. Its first line must be the header {ROSTER_HEADER}, then one person per line.")
    header_line, names = header
    problem = _header_problem(names)
    if problem:
        return _refused(problem, header_line)
    if not rows:
        return _refused("The file has the header but nobody under it.", header_line)
    return _check_rows(store, viewer, names, rows)


def _check_rows(store: Store, viewer: Viewer, names: list[str], rows: list[tuple[int, list[str]]]) -> RosterCheck:
    position = {name.strip().lower().replace(" ", "_"): index for index, name in enumerate(names)}
    with store.cursor() as cur:
        by_name = _cohort_by_name(_program_cohorts(cur, viewer.program_id))
    checked: list[tuple[int, dict[str, str], list[str], dict]] = []
    lines_of_email: dict[str, list[int]] = {}
    for line, fields in rows:
        values = {column: fields[position[column]].strip() if position[column] < len(fields) else "" for column in ROSTER_COLUMNS}
        problems: list[str] = []
        clean: dict = {}
        if len(fields) != len(names):
            problems.append(
                f"This row has {len(fields)} fields but the header has {len(names)}; "
                "put a value that holds a comma in double quotes."
            )
            checked.append((line, values, problems, clean))
            continue
        if not values["full_name"]:
            problems.append("The full_name is empty.")
        else:
            _try(problems, clean, "full_name", check_name, values["full_name"])
        if not values["email"]:
            problems.append("The email is empty.")
        else:
            _try(problems, clean, "email", check_email, values["email"])
        if not values["roles"]:
            problems.append("The roles are empty; write fellow, mentor or director (several separated by ; or |).")
        else:
            _try(problems, clean, "roles", check_roles, values["roles"])
        if has_hidden(values["cohort"]):
            problems.append(hidden_message("The cohort"))
        elif "roles" in clean:
            _try(problems, clean, "cohort", _cohort_from_name, clean["roles"], values["cohort"], by_name)
        if "email" in clean:
            lines_of_email.setdefault(clean["email"], []).append(line)
        checked.append((line, values, problems, clean))

    with store.cursor() as cur:
        owners = _email_owners(cur, list(lines_of_email))
    valid_rows: list[dict] = []
    errors: list[tuple[int, str]] = []
    preview = []
    for line, values, problems, clean in checked:
        email = clean.get("email")
        if email is not None:
            others = [other for other in lines_of_email[email] if other != line]
            if others:
                where = ", ".join(str(other) for other in others)
                problems.append(f"{email} is also on line{'s' if len(others) > 1 else ''} {where}; a person appears once.")
            if email in owners:
                problems.append(_taken(email, owners[email], viewer.program_id))
        errors += [(line, problem) for problem in problems]
        if not problems:
            cohort = clean.get("cohort")
            valid_rows.append(
                {
                    "line": line,
                    "full_name": clean["full_name"],
                    "email": email,
                    "roles": list(clean["roles"]),
                    "cohort_id": cohort[0] if cohort else None,
                    "cohort": cohort[1] if cohort else None,
                }
            )
        preview.append(
            {"line": line, "status": "problem" if problems else "ready", **{c: shown(values[c], 200) for c in ROSTER_COLUMNS}}
            | {"problems": " ".join(problems)}
        )
    return RosterCheck(valid_rows, errors, pd.DataFrame(preview, columns=PREVIEW_COLUMNS), len(rows))


def _try(problems: list[str], clean: dict, column: str, check: Callable[..., object], *args) -> None:
    """Run one check; its result goes into `clean`, its message into `problems`."""
    try:
        clean[column] = check(*args)
    except InputError as error:
        problems.append(str(error))


def import_roster(
    store: Store,
    viewer: Viewer,
    rows: Sequence[dict],
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Store the checked rows of a roster (from `parse_roster`) in one transaction: all of them, or none.

    Each row is checked again, and the emails once more inside the transaction, since someone may
    have added one of them after the file was checked. `progress(done, total)` is called as the rows
    are prepared and stored, a chunk at a time. Returns how many people were added.
    """
    viewer = _require_director(viewer)
    rows = list(rows)
    if not rows:
        raise InputError("There is nobody to import.")
    if len(rows) > MAX_ROSTER_ROWS:
        raise InputError(f"At most {MAX_ROSTER_ROWS:,} people can be imported at once; split the file.")
    prepared: list[tuple[str, str, tuple[str, ...], object]] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        where = f"Line {row.get('line', index)}" if isinstance(row, dict) else f"Row {index}"
        try:
            if not isinstance(row, dict):
                raise InputError("this row is not a person.")
            email = check_email(row.get("email"))
            prepared.append((check_name(row.get("full_name")), email, check_roles(row.get("roles")), row.get("cohort_id")))
        except InputError as error:
            raise InputError(f"{where}: {error} Nothing was imported.") from None
        if email in seen:
            raise InputError(f"{where}: {email} appears twice. Nothing was imported.")
        seen.add(email)
    total = len(prepared)

    def work(cur) -> int:
        if progress is not None:
            progress(0, total)
        program_cohorts = _program_cohorts(cur, viewer.program_id)
        cohort_ids = []
        for index, (_, _, roles, cohort_id) in enumerate(prepared):
            try:
                cohort_ids.append(_check_cohort(roles, cohort_id, program_cohorts))
            except InputError as error:
                raise InputError(f"Line {rows[index].get('line', index + 1)}: {error} Nothing was imported.") from None
        owners = _email_owners(cur, [email for _, email, _, _ in prepared])
        if owners:
            taken = sorted(owners)
            listed = ", ".join(taken[:5]) + (f" and {len(taken) - 5} more" if len(taken) > 5 else "")
            raise InputError(
                f"Nothing was imported: {listed} {'is' if len(taken) == 1 else 'are'} in use since the file was checked. "
                "Upload the file again to check it."
            )
        for start in range(0, total, PROGRESS_CHUNK):
            chunk = prepared[start : start + PROGRESS_CHUNK]
            added = cur.execute(
                """
                INSERT INTO people (program_id, full_name, email, cohort_id, created_at)
                SELECT $program, unnest($names::VARCHAR[]), unnest($emails::VARCHAR[]), unnest($cohorts::INTEGER[]), $now
                RETURNING email, person_id
                """,
                {
                    "program": viewer.program_id,
                    "names": [p[0] for p in chunk],
                    "emails": [p[1] for p in chunk],
                    "cohorts": cohort_ids[start : start + len(chunk)],
                    "now": now,
                },
            ).fetchall()
            person_of = dict(added)
            role_people = [person_of[email] for _, email, roles, _ in chunk for _ in roles]
            role_names = [role for _, _, roles, _ in chunk for role in roles]
            cur.execute(
                "INSERT INTO person_roles SELECT unnest($people::INTEGER[]), unnest($roles::VARCHAR[])",
                {"people": role_people, "roles": role_names},
            )
            if progress is not None:
                progress(start + len(chunk), total)
        return total

    try:
        return store.write(work, touches=touched(viewer.program_id, "people"))
    except duckdb.ConstraintException:
        raise InputError(
            "Nothing was imported: someone added one of these emails at the same moment. Upload the file again to check it."
        ) from None
