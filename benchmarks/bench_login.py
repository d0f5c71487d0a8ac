"""The login under abuse: timing by user, 100 wrong passwords, concurrent bad logins.

Runs the real web app (``ioc serve``: gunicorn, 2 workers x 4 threads) against a
scratch schema and Redis prefix, and measures over HTTP:

1. a wrong password for an existing user vs for an unknown user (median of 10 each;
   the login limits are lifted for this part where the code has them);
2. 100 wrong passwords for one user, then the right one: how long, and the answers;
3. an authenticated Dash callback (the shell's change-signal poll), p50 / p95 over
   60 calls: alone (the baseline, same run), then while 16 threads send bad logins
   from this address (default limits), and from 16 addresses (X-Forwarded-For behind a
   trusted proxy; per-address and per-user limits raised, so only the whole-app budget
   of password checks and the per-process hashing slot hold).

The same script runs against older code (no CSRF, no limits): it reads the login form's
hidden token when there is one and only sets the settings the code knows.

    .venv/bin/python benchmarks/bench_login.py
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import requests
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata.registry import wards
from ioc.auth import add_user
from ioc.config import AppSettings
from ioc.live import LiveState
from ioc.store.db import connect, ensure_database
from ioc.store.migrate import upgrade
from ioc.store.wards import seed_wards
from tests.services import DATABASE_URL, REDIS_URL

PASSWORD = "bench-password-1"
HAS_LIMITS = "login" in AppSettings.model_fields
CLI = "cli" if importlib.util.find_spec("cli") else "ioc.cli"  # older code: ioc.cli


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.url = f"http://127.0.0.1:{env['IOC_APP__PORT']}"
        self.log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", CLI, "serve"], env=env, stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/login", timeout=30)
                return
            except requests.RequestException:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the app did not start; see {log}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()


def _token(s: requests.Session, url: str) -> dict[str, str]:
    page = s.get(url + "/login", timeout=10).text
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return {"csrf_token": m.group(1)} if m else {}


def login(s: requests.Session, url: str, user: str, password: str, headers: Any = None) -> int:
    form = {"username": user, "password": password, "next": "/", **_token(s, url)}
    r = s.post(url + "/login", data=form, allow_redirects=False, timeout=60, headers=headers)
    return r.status_code


def poll(s: requests.Session, url: str) -> float:
    body = {
        "output": "ioc-version.data",
        "outputs": {"id": "ioc-version", "property": "data"},
        "inputs": [{"id": "ioc-poll", "property": "n_intervals", "value": 1}],
        "state": [{"id": "ioc-version", "property": "data", "value": -5}],
        "changedPropIds": ["ioc-poll.n_intervals"],
    }
    headers = {"X-CSRFToken": s.cookies.get("_csrf_token", "")}
    start = time.perf_counter()
    r = s.post(url + "/_dash-update-component", json=body, headers=headers, timeout=60)
    took = time.perf_counter() - start
    assert r.status_code in (200, 204), r.status_code
    return took


def _p(xs: list[float], q: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] * 1000


def callback_latency(url: str, session: requests.Session, n: int = 60) -> tuple[float, float]:
    times = []
    for _ in range(n):
        times.append(poll(session, url))
        time.sleep(0.05)
    return _p(times, 0.5), _p(times, 0.95)


def under_attack(url: str, session: requests.Session, many_addresses: bool) -> tuple[float, ...]:
    stop = threading.Event()
    answers: list[int] = []

    def attacker(i: int) -> None:
        s = requests.Session()
        headers = {"X-Forwarded-For": f"10.66.0.{i}"} if many_addresses else None
        while not stop.is_set():
            answers.append(login(s, url, f"admin{i % 2 or ''}", "wrong-password", headers))

    threads = [threading.Thread(target=attacker, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    p50, p95 = callback_latency(url, session)
    stop.set()
    for t in threads:
        t.join()
    hashed = sum(1 for a in answers if a == 401)
    return p50, p95, len(answers), hashed


def main() -> None:
    ensure_database(DATABASE_URL)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    with connect(DATABASE_URL) as conn:
        upgrade(conn, schema, force="plain")
    with connect(DATABASE_URL, schema) as conn:
        seed_wards(conn, wards())
        conn.commit()
    folder = Path(tempfile.mkdtemp(prefix="bench-login-"))
    users = folder / "users.toml"
    add_user(users, "admin", PASSWORD, "admin", [])
    add_user(users, "viewer", PASSWORD, "viewer", [])
    base = {k: v for k, v in os.environ.items() if not k.startswith("IOC_")}
    env = {
        **base,
        "IOC_DATABASE_URL": DATABASE_URL,
        "IOC_DB_SCHEMA": schema,
        "IOC_REDIS_URL": REDIS_URL,
        "IOC_REDIS_PREFIX": prefix,
        "IOC_APP__USERS_FILE": str(users),
        "IOC_APP__SECRET_KEY": secrets.token_urlsafe(32),
        "IOC_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    many = {"IOC_APP__LOGIN__IP_MAX": "100000", "IOC_APP__LOGIN__USER_MAX": "100000",
            "IOC_APP__TRUSTED_PROXIES": "1"} if HAS_LIMITS else {}  # fmt: skip
    relaxed = {**many, "IOC_APP__LOGIN__CHECKS_PER_S": "1000"} if HAS_LIMITS else {}
    print(f"code: {'with' if HAS_LIMITS else 'without'} login limits; {os.cpu_count()} cores")
    try:
        # 1. timing by user, limits out of the way
        srv = Server({**env, **relaxed, "IOC_APP__PORT": str(_free_port())}, folder / "a.log")
        try:
            s = requests.Session()
            known, unknown = [], []
            for i in range(10):
                for name, bucket in (("admin", known), (f"nobody-{i}", unknown)):
                    t0 = time.perf_counter()
                    login(s, srv.url, name, "wrong-password")
                    bucket.append(time.perf_counter() - t0)
            print(f"1. wrong password, existing user: median {statistics.median(known) * 1000:.0f} ms;"
                  f" unknown user: median {statistics.median(unknown) * 1000:.0f} ms")  # fmt: skip
        finally:
            srv.stop()
        env["IOC_REDIS_PREFIX"] = prefix + "a"
        srv = Server({**env, **many, "IOC_APP__PORT": str(_free_port())}, folder / "a2.log")
        try:
            # 3b. many addresses: only the hashing slot bounds the work
            s = requests.Session()
            assert login(s, srv.url, "viewer", PASSWORD) == 302
            alone = callback_latency(srv.url, s)
            attacked = under_attack(srv.url, s, many_addresses=True)
            print(
                f"3. authenticated callback alone (baseline): p50 {alone[0]:.1f} ms, p95 {alone[1]:.1f} ms"
            )
            print(f"   with 16 threads of bad logins from 16 addresses (per-address and per-user"
                  f" limits raised, whole-app budget kept): p50"
                  f" {attacked[0]:.1f} ms, p95 {attacked[1]:.1f} ms ({attacked[2]} attempts,"
                  f" {attacked[3]} password checks)")  # fmt: skip
        finally:
            srv.stop()
        # 2. and 3a: default limits
        env["IOC_REDIS_PREFIX"] = prefix + "b"  # fresh counters
        srv = Server({**env, "IOC_APP__PORT": str(_free_port())}, folder / "b.log")
        try:
            s = requests.Session()
            assert login(s, srv.url, "viewer", PASSWORD) == 302
            alone = callback_latency(srv.url, s)
            attacked = under_attack(srv.url, s, many_addresses=False)
            print(
                f"   callback alone (baseline, default limits): p50 {alone[0]:.1f} ms, p95 {alone[1]:.1f} ms"
            )
            print(f"   with 16 threads of bad logins from this address: p50 {attacked[0]:.1f} ms,"
                  f" p95 {attacked[1]:.1f} ms ({attacked[2]} attempts, {attacked[3]} password checks)")  # fmt: skip
        finally:
            srv.stop()
        env["IOC_REDIS_PREFIX"] = prefix + "c"
        srv = Server({**env, "IOC_APP__PORT": str(_free_port())}, folder / "c.log")
        try:
            s = requests.Session()
            t0 = time.perf_counter()
            codes = [login(s, srv.url, "admin", f"wrong-{i}") for i in range(100)]
            took = time.perf_counter() - t0
            right = login(s, srv.url, "admin", PASSWORD)
            summary = {c: codes.count(c) for c in sorted(set(codes))}
            print(f"2. 100 wrong passwords in {took:.1f} s, answers {summary};"
                  f" then the right one: HTTP {right}")  # fmt: skip
        finally:
            srv.stop()
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        live = LiveState.from_url(REDIS_URL, prefix)
        keys = list(live.r.scan_iter(f"{prefix}*"))
        if keys:
            live.r.delete(*keys)


if __name__ == "__main__":
    main()
