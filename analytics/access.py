"""Who may see whose records. Every read of a person's data goes through here."""

from analytics.errors import AccessDenied
from analytics.people import Viewer
from analytics.store import Store


def require_own_or_shared(store: Store, viewer: Viewer, subject_id: int, record_kind: str) -> None:
    """A person always sees their own records; anyone else is refused here."""
    if viewer is None:
        raise AccessDenied("Sign in to see this.")
    if viewer.person_id == subject_id:
        return
    raise AccessDenied("This person's records are not shared with you.")
