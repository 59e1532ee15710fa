"""The key format, `ep-<prefix>-<secret>`, and its hash. Pure functions, no database."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_NAMESPACE = "ep"
PREFIX_BYTES = 6  # 12 hex characters: unique enough to find the row, useless without the secret
SECRET_BYTES = 32  # 256 bits of entropy: a plain SHA-256 is enough, no slow hash needed


@dataclass(frozen=True)
class KeyParts:
    prefix: str
    secret: str


def generate_key() -> tuple[str, KeyParts]:
    """A new plain key and its parts."""
    parts = KeyParts(prefix=secrets.token_hex(PREFIX_BYTES), secret=secrets.token_urlsafe(SECRET_BYTES))
    return f"{KEY_NAMESPACE}-{parts.prefix}-{parts.secret}", parts


def split_key(key: str) -> KeyParts | None:
    """The parts of a well-formed key; None for anything else (never raises on user input)."""
    namespace, _, rest = key.partition("-")
    prefix, _, secret = rest.partition("-")
    if namespace != KEY_NAMESPACE or len(prefix) != PREFIX_BYTES * 2 or not secret:
        return None
    return KeyParts(prefix=prefix, secret=secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, hashed_secret: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), hashed_secret)
