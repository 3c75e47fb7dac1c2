"""Errors that carry a sentence fit to show a person as it is."""


class StoreError(RuntimeError):
    """The database cannot be used; the message says what the operator should do."""


class DatabaseLockedError(StoreError):
    pass


class SchemaTooNewError(StoreError):
    pass


class InputError(ValueError):
    """What a person entered cannot be stored; nothing was written."""


class DatabaseWriteError(StoreError, InputError):
    """The disk is full, or the file or its folder is read-only: nothing of this write was stored.

    Also an InputError on purpose: every form already shows an InputError's sentence with st.error
    and keeps what was typed, so a failed write reaches the person the same way, with no handler to
    forget on a new page.
    """


class AccessDenied(PermissionError):
    """The viewer may not see or change this."""
