"""The project's error hierarchy.  Contract rejections live in :mod:`ioc.contract.errors`."""

from __future__ import annotations

__all__ = [
    "ActionRefused",
    "AuthError",
    "ConfigError",
    "Conflict",
    "DataRejected",
    "Forbidden",
    "InvalidAction",
    "IocError",
    "NotFound",
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


class ActionRefused(IocError):
    """An incident action that was not taken; nothing changed.

    ``key`` names the message in the translation table (:mod:`vocab.text`) and
    ``params`` fill it (codes such as an action or a status, translated when shown);
    ``status`` is the HTTP status the API answers with.
    """

    status = 400

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(f"{key} {params}" if params else key)
        self.key = key
        self.params = params


class NotFound(ActionRefused):
    status = 404


class Forbidden(ActionRefused, AuthError):
    """The user's role or wards do not allow this (the pages answer it 403 like any AuthError)."""

    status = 403


class Conflict(ActionRefused):
    """Someone else changed the incident since the version the action was based on."""

    status = 409


class InvalidAction(ActionRefused):
    """The action is impossible in the incident's status, or its fields are missing or bad."""

    status = 400
