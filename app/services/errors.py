"""Typed domain errors; app/errors.py maps them to pages."""


class DomainError(Exception):
    """Something the user asked for cannot be done; the message says why, in their language."""


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class InvalidInput(DomainError):
    pass
