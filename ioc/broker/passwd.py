"""Mosquitto 2.0 password hashes (``$7$``: PBKDF2-HMAC-SHA512), computed in Python.

The format is what ``mosquitto_passwd`` writes and the broker reads
(``apps/mosquitto_passwd`` and ``src/security_default.c`` in Mosquitto 2.0)::

    $7$<iterations>$<base64 salt, 12 bytes>$<base64 PBKDF2-SHA512 digest, 64 bytes>

The dynamic-security plugin stores the same three parts as separate JSON fields
(``iterations``, ``salt``, ``password``); :class:`PasswordHash` converts between them.
Computed here rather than by calling ``mosquitto_passwd`` so that rendering needs no
broker package (the broker usually runs in a container) and stays testable; a test
checks both directions against the real ``mosquitto_passwd`` and the real broker.

Iterations: 101, Mosquitto's own default.  The broker verifies a password on every
CONNECT in its single network thread, so a high count turns a flood of bad CONNECTs
into a denial of service; what protects these passwords is their entropy instead:
secrets made by ``ioc broker render`` are 32 random URL-safe characters (192 bits) and
secret files shorter than :data:`MIN_SECRET_CHARS` are refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

__all__ = ["ITERATIONS", "MIN_SECRET_CHARS", "PasswordHash", "hash_password", "new_secret"]

ITERATIONS = 101
SALT_BYTES = 12
MIN_SECRET_CHARS = 24


@dataclass(frozen=True, slots=True)
class PasswordHash:
    iterations: int
    salt: bytes
    digest: bytes

    @classmethod
    def parse(cls, text: str) -> PasswordHash:
        """Read a ``$7$`` hash; ``ValueError`` says what is wrong (never echoes the hash)."""
        parts = text.strip().split("$")
        if len(parts) != 5 or parts[0] != "" or parts[1] != "7":
            raise ValueError("not a Mosquitto $7$ (PBKDF2-SHA512) hash")
        try:
            iterations = int(parts[2])
            salt = base64.b64decode(parts[3], validate=True)
            digest = base64.b64decode(parts[4], validate=True)
        except (ValueError, binascii.Error):
            raise ValueError("malformed $7$ hash (iterations or base64)") from None
        if iterations < 1 or not salt or len(digest) != 64:
            raise ValueError("malformed $7$ hash (iterations, salt or digest length)")
        return cls(iterations, salt, digest)

    def encode(self) -> str:
        salt = base64.b64encode(self.salt).decode()
        return f"$7${self.iterations}${salt}${base64.b64encode(self.digest).decode()}"

    def dynsec_fields(self) -> dict[str, str | int]:
        """The client fields of Mosquitto's dynamic-security JSON."""
        return {
            "password": base64.b64encode(self.digest).decode(),
            "salt": base64.b64encode(self.salt).decode(),
            "iterations": self.iterations,
        }

    @classmethod
    def from_dynsec(cls, fields: dict[str, object]) -> PasswordHash:
        salt, digest = (base64.b64decode(str(fields[k])) for k in ("salt", "password"))
        return cls(int(str(fields["iterations"])), salt, digest)

    def verify(self, password: str) -> bool:
        got = _derive(password, self.salt, self.iterations)
        return hmac.compare_digest(got, self.digest)


def _derive(password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations, 64)


def hash_password(
    password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS
) -> PasswordHash:
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    return PasswordHash(iterations, salt, _derive(password, salt, iterations))


def new_secret() -> str:
    """A broker password: 32 URL-safe characters (192 random bits), safe inside a URL."""
    return secrets.token_urlsafe(24)
