"""Typed domain errors; app/errors.py maps them to pages."""


class DomainError(Exception):
    """Something the user asked for cannot be done; the message says why, in their language."""


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class Unauthenticated(DomainError):
    """The caller's credentials are missing, wrong, expired or revoked."""


class Conflict(DomainError):
    """The request clashes with the state of things (a quiz cannot be ticked off by hand)."""


class IdempotencyMismatch(DomainError):
    """An Idempotency-Key reused with a different request."""
