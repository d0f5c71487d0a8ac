"""``ioc config check``: validate the settings and print what is wrong, and where."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ioc.config import Settings
from ioc.logsafe import redact_url

_SECRET_WORDS = ("password", "secret", "key", "token")


def register(sub: Any) -> None:
    p = sub.add_parser("config", help="inspect the configuration")
    s = p.add_subparsers(dest="action", required=True)
    check = s.add_parser("check", help="validate settings; print them with secrets masked")
    check.set_defaults(func=check_config)


def _mask(doc: Any, key: str = "") -> Any:
    if isinstance(doc, dict):
        return {k: _mask(v, k) for k, v in doc.items()}
    if isinstance(doc, str) and any(w in key for w in _SECRET_WORDS):
        return "***"
    if isinstance(doc, str):
        return redact_url(doc)
    return doc


def check_config(settings: Settings, args: argparse.Namespace) -> int:
    # Reaching here means validation passed (cli.main prints failures).
    print(json.dumps(_mask(settings.model_dump(mode="json")), indent=2, ensure_ascii=False))
    print("configuration OK")
    return 0
