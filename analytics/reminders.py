"""The director's reminder list: who has what still to do this period, for the director's own mail merge.

Administration a director may see by name (DESIGN.md: who has or has not submitted), of their own
program only: name, email, what is due (the assessment in words, as each person's Assessments page
lists it, from analytics.assessments.due_assessments, so the rule of what is due lives in one place),
since when (the first day of the period it is asked in) and by when (its last day). Nothing
rating-based: no rating, comment, goal progress or anything a person typed beyond the names.
"""

from datetime import date, timedelta

import pandas as pd

from analytics.assessments import due_assessments
from analytics.errors import AccessDenied
from analytics.instruments import Catalogue
from analytics.people import Viewer, load_viewer, program_settings
from analytics.periods import next_period, period_label
from analytics.store import Store

COLUMNS = ["name", "email", "role", "what_is_due", "period", "due_since", "due_by"]


def reminder_list(store: Store, catalogue: Catalogue, viewer: Viewer, today: date) -> pd.DataFrame:
    """One row per active fellow or mentor of the director's program and assessment they have not done this period."""
    if viewer is None or not viewer.has("director"):
        raise AccessDenied("The reminder list is for directors.")
    months = program_settings(store, viewer.program_id)["period_months"]
    people = store.query_all(
        """
        SELECT p.person_id, p.email, string_agg(r.role, ', ' ORDER BY r.role) AS roles
        FROM people p JOIN person_roles r USING (person_id)
        WHERE p.program_id = $program AND p.active AND r.role IN ('fellow', 'mentor')
        GROUP BY p.person_id, p.email, p.full_name
        ORDER BY p.full_name, p.person_id
        """,
        {"program": viewer.program_id},
    )
    rows = []
    for person_id, email, roles in people:
        person = load_viewer(store, person_id)
        if person is None:
            continue
        for item in due_assessments(store, catalogue, person, today):
            if item.done:
                continue
            rows.append(
                {
                    "name": person.full_name,
                    "email": email,
                    "role": roles,
                    "what_is_due": item.in_words,
                    "period": period_label(item.period_start, months),
                    "due_since": item.period_start,
                    "due_by": next_period(item.period_start, months) - timedelta(days=1),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def reminder_file_name(today: date) -> str:
    return f"reminders-{today:%Y-%m-%d}.csv"
