"""The project's error hierarchy.  Contract rejections live in :mod:`ioc.contract.errors`."""

from __future__ import annotations

__all__ = [
    "AuthError",
    "ConfigError",
    "IocError",
    "ServiceUnavailable",
    "StoreError",
    "UsersFileError",
]


class IocError(Exception):
    """Base of every error the project raises on purpose."""


class StoreError(IocError):
    """The database schema or a query is not what the code expects."""


class ServiceUnavailable(IocError):
    """PostgreSQL, Redis or the broker cannot be reached right now (retry later)."""


class AuthError(IocError):
    """The user may not see or do this."""


class ConfigError(IocError):
    """Settings failed validation; ``str()`` lists each failing key path."""


class UsersFileError(IocError, ValueError):
    """The users file cannot be read or has a bad entry."""
