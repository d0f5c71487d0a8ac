"""``/api/v1``: incidents as JSON, and the actions on them (docs/api.md is the contract).

``GET  /api/v1/incidents``                 list; filters status, ward (a code or ``city``),
                                           domain, severity, since (RFC 3339); limit, offset
``GET  /api/v1/incidents/<id>``            one incident with its log and linked causes
``POST /api/v1/incidents/<id>/<action>``   ack, dispatch, comment, resolve, close, reopen;
                                           JSON body ``note``, ``team``, ``assignee``, ``version``
``GET  /api/v1/session``                   who is calling, and the session's CSRF token

Every answer is JSON; errors are ``{"error": code, "message": text}`` with 400, 401,
403, 404 or 409 (a 409 carries the incident as it is now).  Texts (titles, messages)
are in ``?lang=vi|en``, else the session's language.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import flask
from flask_wtf.csrf import CSRFError, generate_csrf

from ioc import incident_ops
from ioc.api.auth import ApiAuthError, authenticate
from ioc.auth import User, current_lang
from ioc.contract import CATALOGUE, CITY
from ioc.errors import ActionRefused, Conflict, IocError, ServiceUnavailable
from ioc.incident_ops import IncidentView
from ioc.incident_text import describe_refusal, log_note, place, title
from ioc.pages._common import read
from ioc.store import incident_queries as iq
from ioc.store.records import IncidentCauseRow, IncidentLogRow, IncidentRow
from vocab.severity import ACTIONS, SEVERITIES, STATUSES, is_action
from vocab.text import lang_of, t

__all__ = ["MAX_LIMIT", "blueprint"]

log = logging.getLogger(__name__)
MAX_LIMIT = 500
blueprint = flask.Blueprint("api_v1", __name__, url_prefix="/api/v1")


def _lang() -> str:
    asked = flask.request.args.get("lang")
    return lang_of(asked) if asked else current_lang()


def _error(status: int, code: str, message: str, **extra: Any) -> flask.Response:
    resp = flask.jsonify({"error": code, "message": message, **extra})
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="ioc"'
    return resp


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def incident_json(r: IncidentRow, lang: str) -> dict[str, Any]:
    names = read().ward_names(lang)
    return {
        "id": r.id,
        "url": f"/incidents/{r.id}",
        "version": r.version,
        "status": r.status,
        "severity": r.severity,
        "ward_code": r.ward_code,
        "city_level": r.ward_code is None,
        "place": place(r.ward_code, names, lang),
        "domain": r.domain,
        "kind": r.kind,
        "title": title(r.cause, r.title, lang, value=r.current_value),
        "cause": r.cause,
        "current_value": r.current_value,
        "peak_value": r.peak_value,
        "causes": r.causes,
        "opened_at": _iso(r.opened_at),
        "updated_at": _iso(r.updated_at),
        "acknowledged_at": _iso(r.acknowledged_at),
        "dispatched_at": _iso(r.dispatched_at),
        "resolved_at": _iso(r.resolved_at),
        "closed_at": _iso(r.closed_at),
        "time_to_ack_s": r.ack_s,
        "time_to_resolve_s": r.resolve_s,
        "team": r.team,
        "assignee": r.assignee,
        "resolution": r.resolution,
        "lat": r.lat,
        "lon": r.lon,
    }


def _log_json(e: IncidentLogRow, lang: str) -> dict[str, Any]:
    return {
        "at": _iso(e.at), "actor": e.actor, "action": e.action, "from_status": e.from_status,
        "to_status": e.to_status, "severity_from": e.severity_from,
        "severity_to": e.severity_to, "version": e.version,
        "note": log_note(e.action, e.note, lang), "data": e.data,
    }  # fmt: skip


def _cause_json(c: IncidentCauseRow, lang: str) -> dict[str, Any]:
    return {
        "key": c.cause_key, "at": _iso(c.at), "primary": c.is_primary, "domain": c.domain,
        "kind": c.kind, "severity": c.severity, "title": title(c.cause, c.kind, lang),
        "cause": c.cause, "value": c.value, "peak_value": c.peak_value,
    }  # fmt: skip


def _view_json(v: IncidentView, user: User, lang: str) -> dict[str, Any]:
    return {
        "incident": incident_json(v.incident, lang),
        "log": [_log_json(e, lang) for e in v.log],
        "causes": [_cause_json(c, lang) for c in v.causes],
        "actions": incident_ops.available(user, v.incident),
    }


@blueprint.before_request
def _authenticate() -> flask.Response | None:
    try:
        authenticate()
    except ApiAuthError as exc:
        return _error(exc.status, exc.code, exc.message)
    return None


@blueprint.errorhandler(ActionRefused)
def _refused(exc: ActionRefused) -> flask.Response:
    code = {400: "bad_request", 403: "forbidden", 404: "not_found", 409: "conflict"}
    extra: dict[str, Any] = {}
    user = flask.g.get("ioc_user")
    if isinstance(exc, Conflict) and isinstance(user, User):
        try:  # what the other person left, so the caller can decide again
            incident_id = int(flask.request.view_args["incident_id"])  # type: ignore[index]
            extra["incident"] = incident_json(
                incident_ops.view(read(), user, incident_id).incident, _lang()
            )
        except (IocError, KeyError, TypeError, ValueError):
            pass
    return _error(
        exc.status, code.get(exc.status, "bad_request"), describe_refusal(exc, _lang()), **extra
    )


@blueprint.errorhandler(CSRFError)
def _csrf(exc: CSRFError) -> flask.Response:
    """The app-wide CSRF check refused a session call (:mod:`ioc.security`): say so in JSON."""
    user = flask.g.get("ioc_user")
    log.info("API %s %s by %s without a valid CSRF token: %s", flask.request.method,
             flask.request.path, user.name if isinstance(user, User) else "-",
             exc.description)  # fmt: skip
    return _error(400, "csrf", f"CSRF token missing or invalid: {exc.description}")


@blueprint.errorhandler(ServiceUnavailable)
def _unavailable(exc: ServiceUnavailable) -> flask.Response:
    log.warning("API %s: %s", flask.request.path, exc)
    return _error(503, "unavailable", t("act.err.unavailable", _lang()))


class _BadRequest(Exception):
    pass


def _choice(name: str, allowed: tuple[str, ...] | list[str]) -> str | None:
    value = flask.request.args.get(name)
    if value is None or value == "":
        return None
    if value not in allowed:
        raise _BadRequest(f"{name} must be one of {', '.join(allowed)}")
    return value


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = flask.request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise _BadRequest(f"{name} must be an integer from {low} to {high}")
    return int(raw)


@blueprint.errorhandler(_BadRequest)
def _bad(exc: _BadRequest) -> flask.Response:
    return _error(400, "bad_request", str(exc))


def _user() -> User:
    user = flask.g.get("ioc_user")
    assert isinstance(user, User)  # set by _authenticate
    return user


@blueprint.get("/session")
def session() -> flask.Response:
    """Who is calling; for a browser session also the CSRF token its POSTs must send."""
    user = _user()
    token_id = flask.g.get("ioc_api_token")
    body: dict[str, Any] = {"user": user.name, "role": user.role, "wards": sorted(user.wards)}
    body["csrf_token"] = None if token_id is not None else generate_csrf()
    return flask.jsonify(body)


@blueprint.get("/incidents")
def list_incidents() -> flask.Response:
    user, lang = _user(), _lang()
    codes = read().ward_codes()
    visible = None if user.all_wards else sorted(user.wards)
    ward = flask.request.args.get("ward") or None
    city_only = ward in ("city", CITY)
    if ward is not None and not city_only:
        if ward not in codes:
            raise _BadRequest(f"unknown ward {ward[:16]!r}")
        if not user.may_see(ward):
            return _error(403, "forbidden", t("act.err.ward", lang))
        visible = [ward]
    if city_only and not user.all_wards:
        return _error(403, "forbidden", t("act.err.ward", lang))
    since_raw = flask.request.args.get("since")
    try:
        since = datetime.fromisoformat(since_raw) if since_raw else None
    except ValueError:
        raise _BadRequest("since must be an RFC 3339 time with an offset") from None
    if since is not None and since.tzinfo is None:
        raise _BadRequest("since must carry a UTC offset")
    filters: dict[str, Any] = {
        "domain": _choice("domain", list(CATALOGUE)),
        "severity": _choice("severity", SEVERITIES),
        "status": _choice("status", STATUSES),
        "city_only": city_only,
        "since": since,
    }
    limit, offset = _int("limit", 50, 1, MAX_LIMIT), _int("offset", 0, 0, 10**9)
    rows = read().incident_query(iq.incidents, visible, limit=limit, offset=offset, **filters)
    total = read().incident_query(iq.incident_count, visible, **filters)
    nxt = None
    if offset + len(rows) < total:
        args = {
            **flask.request.args.to_dict(),
            "offset": str(offset + len(rows)),
            "limit": str(limit),
        }
        nxt = f"{flask.request.path}?{urlencode(args)}"
    return flask.jsonify(
        {
            "items": [incident_json(r, lang) for r in rows],
            "total": total,
            "limit": limit,
            "offset": offset,
            "next": nxt,
        }
    )


@blueprint.get("/incidents/<int:incident_id>")
def get_incident(incident_id: int) -> flask.Response:
    user = _user()
    return flask.jsonify(_view_json(incident_ops.view(read(), user, incident_id), user, _lang()))


def _text_field(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise _BadRequest(f"{name} must be a string")
    return value


@blueprint.post("/incidents/<int:incident_id>/<action>")
def act(incident_id: int, action: str) -> flask.Response:
    user = _user()
    if not is_action(action):
        return _error(404, "not_found", f"no action {action[:32]!r}; actions: {', '.join(ACTIONS)}")
    body = flask.request.get_json(silent=True) if flask.request.content_length else {}
    if not isinstance(body, dict):
        raise _BadRequest("the body must be a JSON object")
    unknown = set(body) - {"note", "team", "assignee", "version"}
    if unknown:
        raise _BadRequest(f"unknown fields {sorted(unknown)[:5]}")
    version = body.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise _BadRequest("version must be an integer")
    done = incident_ops.act(
        read(), user, incident_id, action,  # type: ignore[arg-type]  # checked by is_action
        note=_text_field(body, "note") or "", team=_text_field(body, "team"),
        assignee=_text_field(body, "assignee"), version=version,
    )  # fmt: skip
    return flask.jsonify(_view_json(done, user, _lang()))


@blueprint.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_rest: str) -> flask.Response:
    return _error(404, "not_found", "no such API endpoint; see docs/api.md")
