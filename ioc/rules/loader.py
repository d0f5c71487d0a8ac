"""Reading the rules file: validated once, refused whole with the failing key paths, reloaded on change.

:func:`load_rules` parses YAML into a :class:`~ioc.rules.schema.RuleSet` or
raises :class:`RulesError` whose lines each name a key path
(``rules.2.message.vi: unknown field {valeur} …``).  :class:`RuleSource` is what
a long-running process holds: :meth:`RuleSource.current` re-reads the file when
its content changed (checked at most every ``every_s``) and keeps the previous
rules in force when the new file is bad, remembering why.  Without a file the
packaged default set (``ioc/rules/default.yaml``) is used.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from ioc.errors import ConfigError
from ioc.rules.schema import RuleSet

__all__ = [
    "DEFAULT_RULES",
    "Loaded",
    "RuleSource",
    "RulesError",
    "in_force",
    "load_rules",
    "parse_rules",
]

log = logging.getLogger(__name__)
DEFAULT_RULES = "default.yaml"
_IN_FORCE: list[RuleSet] = []  # the process's rules in force, set by its RuleSource


def in_force() -> RuleSet:
    """The rules in force in this process: its :class:`RuleSource`'s, else the default set.

    Titles rendered at display time use them (:func:`ioc.rules.render.cause_message`).
    """
    if not _IN_FORCE:
        _IN_FORCE.append(load_rules())
    return _IN_FORCE[-1]


def _adopt(rules: RuleSet) -> None:
    _IN_FORCE[:] = [rules]


class RulesError(ConfigError):
    """A rules file that cannot be used; ``str()`` lists each failing key path."""


def _path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(root)"


def parse_rules(text: str, origin: str = "rules") -> RuleSet:
    """Validate rules from YAML text; :class:`RulesError` names every failing key path."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RulesError(f"{origin}: not valid YAML{where}: {exc}") from None
    if not isinstance(data, dict):
        raise RulesError(f"{origin}: (root): the file must be a mapping with version and rules")
    try:
        return RuleSet.parse(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{origin}: {_path(loc)}: {msg}")
        raise RulesError("\n".join(lines)) from None


def default_text() -> str:
    return resources.files("ioc.rules").joinpath(DEFAULT_RULES).read_text(encoding="utf-8")


def load_rules(path: Path | None = None) -> RuleSet:
    """The rules of ``path``, or the packaged default set when it is None."""
    if path is None:
        return parse_rules(default_text(), "default.yaml")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_rules(text, str(path))


@dataclass(frozen=True, slots=True)
class Loaded:
    """The rules in force and where they came from."""

    rules: RuleSet
    origin: str  # the file, or "default"
    digest: str  # sha256 of the text, first 12 hex digits
    loaded_at: float  # epoch seconds
    error: str | None = None  # why the file's newest content was refused, if it was


class RuleSource:
    """The rules in force for a long-running process, reloaded when the file changes."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        every_s: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.every_s = every_s
        self._clock = clock
        self._checked = 0.0
        text = self._read()
        rules = parse_rules(text, self._origin())  # a bad file at start is fatal
        self._text_digest = _digest(text)
        self.loaded = Loaded(rules, self._origin(), self._text_digest, clock())
        _adopt(rules)

    def _origin(self) -> str:
        return str(self.path) if self.path else "default"

    def _read(self) -> str:
        if self.path is None:
            return default_text()
        try:
            return self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RulesError(f"{self.path}: cannot read: {exc.strerror}") from None

    def current(self) -> RuleSet:
        self.check()
        return self.loaded.rules

    def check(self) -> bool:
        """Re-read the file if it is time; True when new rules came into force."""
        now = self._clock()
        if self.path is None or now - self._checked < self.every_s:
            return False
        self._checked = now
        try:
            text = self._read()
        except RulesError as exc:
            return self._refuse(str(exc), None)
        digest = _digest(text)
        if digest == self._text_digest:
            if self.loaded.error is not None and digest == self.loaded.digest:
                self.loaded = replace(self.loaded, error=None)  # readable again, unchanged
            return False
        try:
            rules = parse_rules(text, self._origin())
        except RulesError as exc:
            return self._refuse(str(exc), digest)
        self._text_digest = digest
        self.loaded = Loaded(rules, self._origin(), digest, now)
        _adopt(rules)
        log.info("rules reloaded from %s (%s, %d rules)", self.path, digest, len(rules.rules))
        return True

    def _refuse(self, why: str, digest: str | None) -> bool:
        if self.loaded.error != why:
            log.error("rules file refused, the previous rules stay in force:\n%s", why)
        if digest is not None:
            self._text_digest = digest  # do not re-parse the same bad text every check
        self.loaded = replace(self.loaded, error=why)
        return False


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]
