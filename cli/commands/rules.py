"""``ioc rules check FILE``: validate a rules file; ``ioc rules default``: print the default set."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ioc.config import Settings
from ioc.rules.loader import RulesError, default_text, load_rules


def register(sub: Any) -> None:
    p = sub.add_parser("rules", help="the alarm rules file")
    s = p.add_subparsers(dest="action", required=True)
    check = s.add_parser("check", help="validate a rules file; exit 1 naming each bad key path")
    check.add_argument("file", type=Path, nargs="?", help="default: the configured rules file")
    check.set_defaults(func=cmd_check)
    d = s.add_parser("default", help="print the default rule set (a start for your own file)")
    d.set_defaults(func=cmd_default)


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    path = args.file or settings.rules.path
    try:
        rules = load_rules(path)
    except RulesError as exc:
        print(f"rules refused:\n{exc}", file=sys.stderr)
        return 1
    for r in rules.rules:
        steps = ", ".join(
            f"{s.label_en} {'' if s.level is None else f'{s.level:g} '}→ {s.severity}"
            for s in r.steps
        )
        state = "" if r.enabled else " (disabled)"
        print(f"{r.id}{state}: {r.scope.domain}.{r.scope.metric} {r.condition} [{steps}]")
    print(f"rules OK: {len(rules.rules)} rules from {path or 'the default set'}")
    return 0


def cmd_default(settings: Settings, args: argparse.Namespace) -> int:
    print(default_text(), end="")
    return 0
