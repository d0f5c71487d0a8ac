-- Incident operations (issue #9), both flavours.  Additive: new columns with defaults,
-- new tables; nothing existing changes meaning.
--
-- incidents.cause          the structured cause (ioc.model.IncidentCause) the title is rendered from
-- incidents.version        moves on every change: an action names the version it saw (409 otherwise)
-- incidents.corr_group     correlation group of its causes ("flood"); NULL: never correlated
-- incidents.current_value / peak_value   the primary cause's latest value and its worst since opening
-- incidents.last_cause_at  time of its newest cause (correlation window)
-- acknowledged_at / dispatched_at / resolved_at   response times; closed_at is set on close
-- team / assignee / resolution   set by dispatch and resolve
-- City-level incidents have ward_code NULL; city-level events carry ward_code '00000'.

ALTER TABLE incidents
    ADD COLUMN cause            jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN version          integer NOT NULL DEFAULT 1,
    ADD COLUMN corr_group       text,
    ADD COLUMN current_value    double precision,
    ADD COLUMN peak_value       double precision,
    ADD COLUMN last_cause_at    timestamptz,
    ADD COLUMN acknowledged_at  timestamptz,
    ADD COLUMN dispatched_at    timestamptz,
    ADD COLUMN resolved_at      timestamptz,
    ADD COLUMN team             text,
    ADD COLUMN resolution       text;

-- Every change is one row: what a notifier needs without reading the incident again.
ALTER TABLE incident_log
    ADD COLUMN severity_from  text,
    ADD COLUMN severity_to    text,
    ADD COLUMN version        integer,
    ADD COLUMN data           jsonb NOT NULL DEFAULT '{}';

-- What already happened, in the new columns.
UPDATE incidents i SET acknowledged_at = l.at
FROM (SELECT incident_id, min(at) AS at FROM incident_log
      WHERE to_status = 'acknowledged' GROUP BY incident_id) l
WHERE l.incident_id = i.id;
UPDATE incidents SET resolved_at = closed_at WHERE status IN ('resolved', 'closed');
UPDATE incidents SET current_value = (detail->>'value')::float8,
                     peak_value = (detail->>'value')::float8
WHERE jsonb_typeof(detail->'value') = 'number';
UPDATE incidents SET last_cause_at = opened_at;

CREATE INDEX incidents_active_group ON incidents (corr_group, ward_code, last_cause_at)
    WHERE status IN ('open', 'acknowledged', 'dispatched');
CREATE INDEX incidents_opened ON incidents (opened_at);

-- The causes of an incident: the one that opened it and those correlated to it later.
-- ``cause_key`` is the rule's dedup key: an active incident is found by any of its causes.
CREATE TABLE incident_causes (
    id           bigserial PRIMARY KEY,
    incident_id  bigint NOT NULL REFERENCES incidents (id),
    cause_key    text NOT NULL,
    at           timestamptz NOT NULL,
    attached_at  timestamptz NOT NULL DEFAULT now(),
    is_primary   boolean NOT NULL DEFAULT false,
    domain       text NOT NULL,
    kind         text NOT NULL,
    severity     text NOT NULL,
    cause        jsonb NOT NULL DEFAULT '{}',
    value        double precision,
    peak_value   double precision,
    UNIQUE (incident_id, cause_key)
);
CREATE INDEX incident_causes_key ON incident_causes (cause_key);

-- Incidents opened before this migration: their opening as their one cause.
INSERT INTO incident_causes (incident_id, cause_key, at, is_primary, domain, kind, severity,
                             value, peak_value)
SELECT id, coalesce(dedup_key, 'incident:' || id), opened_at, true, domain, kind, severity,
       current_value, peak_value
FROM incidents;

-- Bearer tokens of the HTTP API (`ioc tokens create`): only a SHA-256 of the secret is kept.
CREATE TABLE api_tokens (
    id            bigserial PRIMARY KEY,
    user_name     text NOT NULL,
    label         text NOT NULL DEFAULT '',
    token_hash    text NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
