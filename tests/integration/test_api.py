"""The HTTP API (/api/v1) against a real app, PostgreSQL and Redis: every action × role,
wards, impossible transitions, tokens, CSRF for sessions, and two operators at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import flask
import psycopg
import pytest
from flask.testing import FlaskClient

from ioc.app import close_app, create_app
from ioc.auth import add_user
from ioc.config import Settings
from ioc.permissions import ROLE_ACTIONS
from ioc.security import CSRF_COOKIE
from ioc.store.tokens import create_token, revoke_token
from tests.e2e.fix_app import SECRET_KEY
from tests.incident_helpers import alarm, move_to, open_incident, security_alert, state
from vocab.severity import ACTIONS, Action, IncidentStatus

PASSWORD = "mật-khẩu-thử-1"
OWN, OTHER = "27694", "27697"
ROLES = ("viewer", "ward_staff", "operator", "admin")
# The status each action is possible from, and the body it needs.
FROM: dict[Action, IncidentStatus] = {
    "ack": "open",
    "dispatch": "acknowledged",
    "comment": "dispatched",
    "resolve": "dispatched",
    "close": "resolved",
    "reopen": "closed",
}
BODY: dict[Action, dict[str, Any]] = {
    "dispatch": {"team": "Đội cứu hộ 2", "assignee": "Anh Tâm"},
    "comment": {"note": "Đang bơm nước"},
    "resolve": {"note": "Đã rút nước"},
}
TO: dict[Action, IncidentStatus] = {
    "ack": "acknowledged",
    "dispatch": "dispatched",
    "comment": "dispatched",
    "resolve": "resolved",
    "close": "closed",
    "reopen": "open",
}

Conn = psycopg.Connection[Any]


@pytest.fixture
def server(
    make_settings: Callable[..., Settings], tmp_path: Path, db: Conn
) -> Iterator[flask.Flask]:
    users = tmp_path / "users.toml"
    add_user(users, "viewer", PASSWORD, "viewer", [])
    add_user(users, "ward_staff", PASSWORD, "ward_staff", [OWN])
    add_user(users, "operator", PASSWORD, "operator", [])
    add_user(users, "operator2", PASSWORD, "operator", [])
    add_user(users, "admin", PASSWORD, "admin", [])
    settings = make_settings(app={"users_file": users, "secret_key": SECRET_KEY})
    app = create_app(settings)
    yield app.server
    close_app(app)


@pytest.fixture
def tokens(db: Conn) -> dict[str, str]:
    return {name: create_token(db, name, "test")[1] for name in (*ROLES, "operator2")}


def call(
    client: FlaskClient, method: str, path: str, token: str | None = None, **kw: Any
) -> tuple[int, Any]:
    headers = dict(kw.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    resp = client.open(path, method=method, headers=headers, **kw)
    assert resp.is_json, resp.get_data(as_text=True)[:200]
    return resp.status_code, resp.get_json()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_every_action_by_every_role(
    server: flask.Flask, db: Conn, tokens: dict[str, str], role: str, action: Action
) -> None:
    iid = open_incident(db, alarm(OWN))
    move_to(db, iid, FROM[action])
    before = state(db, iid)
    status, body = call(
        server.test_client(), "POST", f"/api/v1/incidents/{iid}/{action}", tokens[role],
        json={**BODY.get(action, {}), "version": before[1]},
    )  # fmt: skip
    if action in ROLE_ACTIONS[role]:
        assert status == 200, body
        assert body["incident"]["status"] == TO[action]
        assert body["incident"]["version"] == before[1] + 1
        last = body["log"][-1]
        assert (last["actor"], last["action"], last["from_status"], last["to_status"]) == (
            role,
            action,
            FROM[action],
            TO[action],
        )
        assert last["note"] == BODY.get(action, {}).get("note", "")
        assert state(db, iid) == (TO[action], before[1] + 1, before[2] + 1)
    else:
        assert status == 403 and body["error"] == "forbidden", body
        assert body["message"]  # says why
        assert state(db, iid) == before  # nothing changed


@pytest.mark.parametrize("action", ["comment", "resolve"])
def test_ward_staff_may_not_touch_another_wards_incident(
    server: flask.Flask, db: Conn, tokens: dict[str, str], action: Action
) -> None:
    iid = open_incident(db, alarm(OTHER))
    move_to(db, iid, "dispatched")
    before = state(db, iid)
    client = server.test_client()
    status, body = call(client, "POST", f"/api/v1/incidents/{iid}/{action}", tokens["ward_staff"],
                        json={"note": "không phải phường tôi", "version": before[1]})  # fmt: skip
    assert status == 403 and body["error"] == "forbidden"
    assert "outside your wards" in call(
        client, "POST", f"/api/v1/incidents/{iid}/{action}?lang=en", tokens["ward_staff"],
        json={"note": "x"},
    )[1]["message"]  # fmt: skip
    assert state(db, iid) == before
    assert call(client, "GET", f"/api/v1/incidents/{iid}", tokens["ward_staff"])[0] == 403


def test_ward_staff_lists_only_their_wards_never_city_level(
    server: flask.Flask, db: Conn, tokens: dict[str, str]
) -> None:
    mine, theirs = open_incident(db, alarm(OWN)), open_incident(db, alarm(OTHER))
    city = open_incident(db, security_alert())
    client = server.test_client()
    status, body = call(client, "GET", "/api/v1/incidents", tokens["ward_staff"])
    assert status == 200 and [i["id"] for i in body["items"]] == [mine]
    assert call(client, "GET", f"/api/v1/incidents?ward={OTHER}", tokens["ward_staff"])[0] == 403
    assert call(client, "GET", "/api/v1/incidents?ward=city", tokens["ward_staff"])[0] == 403
    assert call(client, "GET", f"/api/v1/incidents/{city}", tokens["ward_staff"])[0] == 403
    _, everything = call(client, "GET", "/api/v1/incidents", tokens["viewer"])
    assert {i["id"] for i in everything["items"]} == {mine, theirs, city}
    _, only_city = call(client, "GET", "/api/v1/incidents?ward=city", tokens["viewer"])
    assert [(i["id"], i["city_level"], i["ward_code"]) for i in only_city["items"]] == [
        (city, True, None)
    ]


@pytest.mark.parametrize(
    ("status_now", "action", "body"),
    [
        ("acknowledged", "ack", {}),
        ("open", "close", {}),
        ("open", "reopen", {}),
        ("closed", "resolve", {"note": "x"}),
        ("closed", "dispatch", {"team": "Đội 1"}),
        ("dispatched", "ack", {}),
        ("open", "resolve", {}),  # a resolution needs a note
        ("open", "resolve", {"note": "   "}),
        ("open", "dispatch", {"assignee": "Anh Tâm"}),  # a dispatch needs a team
        ("open", "comment", {}),
        ("open", "comment", {"note": "x" * 2001}),
    ],
)
def test_impossible_transitions_and_missing_fields_are_400(
    server: flask.Flask, db: Conn, tokens: dict[str, str], status_now: IncidentStatus,
    action: Action, body: dict[str, Any],
) -> None:  # fmt: skip
    iid = open_incident(db, alarm(OWN))
    move_to(db, iid, status_now)
    before = state(db, iid)
    status, answer = call(server.test_client(), "POST", f"/api/v1/incidents/{iid}/{action}",
                          tokens["operator"], json=body)  # fmt: skip
    assert status == 400 and answer["error"] == "bad_request", answer
    assert state(db, iid) == before


def test_bad_requests(server: flask.Flask, db: Conn, tokens: dict[str, str]) -> None:
    iid = open_incident(db, alarm(OWN))
    client, op = server.test_client(), tokens["operator"]
    before = state(db, iid)
    for kw in ({"data": "{not json", "content_type": "application/json"},
               {"json": [1, 2]}, {"json": {"version": "1"}}, {"json": {"note": 5}},
               {"json": {"whatever": 1}}):  # fmt: skip
        status, body = call(client, "POST", f"/api/v1/incidents/{iid}/ack", op, **kw)
        assert status == 400 and body["error"] == "bad_request", (kw, body)
    assert call(client, "POST", f"/api/v1/incidents/{iid}/explode", op, json={})[0] == 404
    assert call(client, "POST", "/api/v1/incidents/999999/ack", op, json={})[0] == 404
    assert call(client, "GET", "/api/v1/incidents/999999", op)[0] == 404
    assert call(client, "GET", "/api/v1/nothing-here", op)[0] == 404
    for query in ("status=burning", "severity=extreme", "domain=weather", "ward=99999",
                  "since=yesterday", "since=2026-01-01T00:00:00", "limit=0", "limit=501",
                  "offset=-1"):  # fmt: skip
        assert call(client, "GET", f"/api/v1/incidents?{query}", op)[0] == 400, query
    assert state(db, iid) == before


def test_tokens_unknown_revoked_malformed_or_orphaned_are_401(
    server: flask.Flask, db: Conn, tokens: dict[str, str], tmp_path: Path
) -> None:
    iid = open_incident(db, alarm(OWN))
    client = server.test_client()
    assert call(client, "GET", "/api/v1/incidents", tokens["operator"])[0] == 200
    token_id, token = create_token(db, "operator", "to revoke")
    assert call(client, "GET", "/api/v1/incidents", token)[0] == 200
    assert revoke_token(db, token_id) and not revoke_token(db, token_id)
    before = state(db, iid)
    status, body = call(client, "POST", f"/api/v1/incidents/{iid}/ack", token, json={})
    assert status == 401 and body["error"] == "unauthorized"
    assert state(db, iid) == before
    for header in ("Bearer ioc_notatoken", "Bearer", "Basic b3A6cHc=", "bearer  "):
        status, _ = call(client, "GET", "/api/v1/incidents", headers={"Authorization": header})
        assert status == 401, header
    assert call(client, "GET", "/api/v1/incidents")[0] == 401  # nobody
    ghost = create_token(db, "nobody-in-the-users-file")[1]
    assert call(client, "GET", "/api/v1/incidents", ghost)[0] == 401
    stored = db.execute("SELECT token_hash FROM api_tokens WHERE id = %s", (token_id,)).fetchone()
    assert stored is not None and token not in stored[0]  # only a digest is kept


def _login(client: FlaskClient, user: str) -> None:
    client.get("/login")  # as a browser loads the form first: it sets the CSRF cookie
    cookie = client.get_cookie(CSRF_COOKIE)
    assert cookie is not None
    resp = client.post(
        "/login",
        data={"username": user, "password": PASSWORD, "next": "/"},
        headers={"X-CSRFToken": cookie.value},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]


def test_session_posts_need_the_csrf_token(
    server: flask.Flask, db: Conn, tokens: dict[str, str]
) -> None:
    iid = open_incident(db, alarm(OWN))
    client = server.test_client()
    _login(client, "operator")
    status, who = call(client, "GET", "/api/v1/session")
    assert status == 200 and who["user"] == "operator" and who["csrf_token"]
    before = state(db, iid)
    for headers in ({}, {"X-CSRFToken": "forged"}):
        status, body = call(client, "POST", f"/api/v1/incidents/{iid}/ack", json={},
                            headers=headers)  # fmt: skip
        assert status == 400 and body["error"] == "csrf", body
        assert state(db, iid) == before
    status, body = call(client, "POST", f"/api/v1/incidents/{iid}/ack", json={},
                        headers={"X-CSRFToken": who["csrf_token"]})  # fmt: skip
    assert status == 200 and body["log"][-1]["actor"] == "operator"
    # A token request needs none: a browser never sends the Authorization header by itself.
    assert call(client, "GET", "/api/v1/session", tokens["operator"])[1]["csrf_token"] is None
    # Neither token nor session: 401 (not a CSRF refusal), and nothing changes.
    after = state(db, iid)
    status, body = call(server.test_client(), "POST", f"/api/v1/incidents/{iid}/close", json={})
    assert status == 401 and body["error"] == "unauthorized", body
    assert state(db, iid) == after


def test_concurrent_double_acknowledge_one_wins(
    server: flask.Flask, db: Conn, tokens: dict[str, str]
) -> None:
    iid = open_incident(db, alarm(OWN, severity="critical"))
    version = state(db, iid)[1]
    gate = threading.Barrier(2)
    answers: dict[str, tuple[int, Any]] = {}

    def ack(name: str) -> None:
        client = server.test_client()
        gate.wait()
        answers[name] = call(client, "POST", f"/api/v1/incidents/{iid}/ack", tokens[name],
                             json={"version": version, "note": name})  # fmt: skip

    threads = [threading.Thread(target=ack, args=(n,)) for n in ("operator", "operator2")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    codes = sorted(code for code, _ in answers.values())
    assert codes == [200, 409], answers
    winner = next(n for n, (code, _) in answers.items() if code == 200)
    loser = next(body for code, body in answers.values() if code == 409)
    assert loser["error"] == "conflict" and winner in loser["message"]
    assert loser["incident"]["status"] == "acknowledged"
    acks = db.execute(
        "SELECT actor FROM incident_log WHERE incident_id = %s AND action = 'ack'", (iid,)
    ).fetchall()
    assert acks == [(winner,)]
    assert state(db, iid) == ("acknowledged", version + 1, 2)


def test_concurrent_comments_both_land(
    server: flask.Flask, db: Conn, tokens: dict[str, str]
) -> None:
    iid = open_incident(db, alarm(OWN))
    gate = threading.Barrier(4)
    codes: list[int] = []

    def comment(name: str, n: int) -> None:
        client = server.test_client()
        gate.wait()
        codes.append(call(client, "POST", f"/api/v1/incidents/{iid}/comment", tokens[name],
                          json={"note": f"{name} {n}", "version": 1})[0])  # fmt: skip

    threads = [threading.Thread(target=comment, args=(name, n))
               for name in ("operator", "operator2") for n in range(2)]  # fmt: skip
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert codes == [200] * 4
    notes = db.execute(
        "SELECT note, version FROM incident_log WHERE incident_id = %s AND action = 'comment'",
        (iid,),
    ).fetchall()
    assert sorted(n for n, _ in notes) == ["operator 0", "operator 1", "operator2 0", "operator2 1"]
    assert sorted(v for _, v in notes) == [2, 3, 4, 5]  # each change its own version


def test_list_filters_pagination_and_one_incident(
    server: flask.Flask, db: Conn, tokens: dict[str, str]
) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    ids = [open_incident(db, alarm(OWN, at=old + timedelta(minutes=i))) for i in range(5)]
    crit = open_incident(db, alarm(OTHER, 80.0, severity="critical"))
    move_to(db, ids[0], "resolved")
    client, tok = server.test_client(), tokens["viewer"]
    _, page = call(client, "GET", "/api/v1/incidents?limit=2", tok)
    assert page["total"] == 6 and len(page["items"]) == 2 and page["next"]
    seen = [i["id"] for i in page["items"]]
    while page["next"]:
        _, page = call(client, "GET", page["next"], tok)
        seen += [i["id"] for i in page["items"]]
    assert sorted(seen) == sorted([*ids, crit]) and len(seen) == 6
    _, crits = call(client, "GET", "/api/v1/incidents?severity=critical", tok)
    assert [i["id"] for i in crits["items"]] == [crit]
    _, resolved = call(client, "GET", "/api/v1/incidents?status=resolved&domain=water", tok)
    assert [i["id"] for i in resolved["items"]] == [ids[0]]
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    _, recent = call(client, "GET", "/api/v1/incidents", tok, query_string={"since": since})
    assert [i["id"] for i in recent["items"]] == [crit]
    _, ward = call(client, "GET", f"/api/v1/incidents?ward={OTHER}", tok)
    assert [i["id"] for i in ward["items"]] == [crit]
    status, one = call(client, "GET", f"/api/v1/incidents/{ids[0]}?lang=en", tok)
    assert status == 200
    inc = one["incident"]
    assert inc["status"] == "resolved" and inc["resolution"] == "đã xử lý"
    assert inc["title"] == "Street flooding above the alarm level: 40.0 cm (alarm at 30.0 cm)"
    assert inc["time_to_ack_s"] is not None and inc["time_to_resolve_s"] is not None
    assert [e["action"] for e in one["log"]] == ["open", "ack", "dispatch", "resolve"]
    assert [c["primary"] for c in one["causes"]] == [True]
    assert one["actions"] == []  # a viewer may do nothing
    _, vi = call(client, "GET", f"/api/v1/incidents/{crit}?lang=vi", tok)
    assert vi["incident"]["title"] == "Ngập đường vượt ngưỡng báo động: 80,0 cm (ngưỡng 30,0 cm)"
