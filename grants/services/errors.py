"""Errors raised by services. Messages are lazy translations, shown to the user as they are."""

from flask_babel import LazyString


class DomainError(Exception):
    """A rule of the domain refused the operation; nothing was written."""

    def __init__(self, message: LazyString | str, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field  # the form field the message belongs to, if any


class ValidationError(DomainError):
    """The input is not acceptable."""


class ConflictError(DomainError):
    """The operation clashes with the current state (already done, duplicate…)."""


class ForbiddenError(DomainError):
    """The actor may not do this to this object (a rule beyond role permissions)."""
