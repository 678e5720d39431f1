"""Password hashing with Argon2id."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hashers: dict[tuple[int, int], PasswordHasher] = {}


def _hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    key = (time_cost, memory_cost)
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    return _hashers[key]


def hash_password(password: str, time_cost: int = 3, memory_cost: int = 64 * 1024) -> str:
    """An Argon2id hash (a PHC string) of the password; `memory_cost` in KiB (the PASSWORD_*
    settings). Raises nothing."""
    return _hasher(time_cost, memory_cost).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the hash; False for no hash or a malformed one, never raises."""
    if not password_hash:
        return False
    try:
        # Any Argon2 hash verifies, whatever cost it was made with.
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
