"""The project's error hierarchy.  Contract rejections live in :mod:`ioc.contract.errors`."""

from __future__ import annotations

__all__ = [
    "AuthError",
    "ConfigError",
    "DataRejected",
    "IocError",
    "ServiceUnavailable",
    "StoreError",
    "UsersFileError",
    "WriteConflict",
]


class IocError(Exception):
    """Base of every error the project raises on purpose."""


class StoreError(IocError):
    """The database schema or a query is not what the code expects."""


class DataRejected(StoreError):
    """The database refused a write for its data (a value, a constraint), not its availability.

    The transaction was rolled back; writing the same rows again fails again.
    """


class WriteConflict(StoreError):
    """A deadlock or serialization failure rolled the transaction back: write it again now."""


class ServiceUnavailable(IocError):
    """PostgreSQL, Redis or the broker cannot be reached right now (retry later)."""


class AuthError(IocError):
    """The user may not see or do this."""


class ConfigError(IocError):
    """Settings failed validation; ``str()`` lists each failing key path."""


class UsersFileError(IocError, ValueError):
    """The users file cannot be read or has a bad entry."""
