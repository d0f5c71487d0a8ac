"""The ``ioc`` command: one entry point for every service and tool.

Each module of :mod:`cli.commands` exposes ``register(subparsers)`` and sets
``func`` on its parsers.  Settings are validated once here and handed to the
command.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from cli.commands import (
    broker,
    config,
    contract,
    db,
    demo,
    geodata,
    ingest,
    monitor,
    notify,
    rules,
    serve,
    simulate,
    tokens,
)
from ioc import logsafe
from ioc.config import ConfigError, Settings, load_settings

__all__ = ["main"]

log = logging.getLogger("ioc")

COMMANDS = (
    config,
    contract,
    db,
    ingest,
    monitor,
    geodata,
    simulate,
    serve,
    tokens,
    demo,
    broker,
    rules,
    notify,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ioc", description="Tân An IOC: ingest, store, control room and simulators"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings: Settings = load_settings()
    except ConfigError as exc:
        if args.command == "config":
            print(f"configuration is invalid:\n{exc}", file=sys.stderr)
            return 2
        print(f"ioc: configuration is invalid (run 'ioc config check'):\n{exc}", file=sys.stderr)
        return 2
    setup_logging("DEBUG" if args.verbose else settings.log_level)
    logsafe.install(logsafe.secrets_of(settings))
    try:
        return int(args.func(settings, args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
