"""Typed domain errors; app/errors.py maps them to pages."""

from datetime import datetime


class DomainError(Exception):
    """Something the user asked for cannot be done; the message says why, in their language."""


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class TooManyAttempts(DomainError):
    """Too many failed attempts: refused until `retry_at` (an aware UTC datetime)."""

    def __init__(self, retry_at: datetime, message: str | None = None) -> None:
        super().__init__(message or "")
        self.retry_at = retry_at


class Unauthenticated(DomainError):
    """The caller's credentials are missing, wrong, expired or revoked."""


class Conflict(DomainError):
    """The request clashes with the state of things (a quiz cannot be ticked off by hand)."""


class IdempotencyMismatch(DomainError):
    """An Idempotency-Key reused with a different request."""
