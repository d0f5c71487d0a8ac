"""``ioc contract docs``: print the catalogue as Markdown (the source of docs/contract.md)."""

from __future__ import annotations

import argparse
from typing import Any

from ioc.config import Settings
from ioc.contract.docs import render_markdown


def register(sub: Any) -> None:
    p = sub.add_parser("contract", help="the wire contract")
    s = p.add_subparsers(dest="action", required=True)
    d = s.add_parser("docs", help="print the metric catalogue as Markdown")
    d.set_defaults(func=cmd_docs)


def cmd_docs(settings: Settings, args: argparse.Namespace) -> int:
    print(render_markdown(), end="")
    return 0
