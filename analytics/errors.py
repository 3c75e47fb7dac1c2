"""Errors that carry a sentence fit to show a person as it is."""


class StoreError(RuntimeError):
    """The database cannot be used; the message says what the operator should do."""


class DatabaseLockedError(StoreError):
    pass


class SchemaTooNewError(StoreError):
    pass


class InputError(ValueError):
    """What a person entered cannot be stored; nothing was written."""


class AccessDenied(PermissionError):
    """The viewer may not see or change this."""
