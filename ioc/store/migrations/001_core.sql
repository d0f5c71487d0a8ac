-- Core tables shared by both flavours (plain PostgreSQL and TimescaleDB).
-- Public interface (DESIGN.md §3): change only by adding.

CREATE TABLE wards (
    code                   text PRIMARY KEY CHECK (code ~ '^[0-9]{5}$'),
    name                   text NOT NULL,
    name_en                text NOT NULL,
    kind                   text NOT NULL CHECK (kind IN ('ward', 'commune')),
    district               text NOT NULL,
    population             integer CHECK (population >= 0),
    population_is_estimate boolean NOT NULL DEFAULT true,
    area_km2               double precision CHECK (area_km2 > 0),
    osm_relation           bigint,
    lat                    double precision,
    lon                    double precision,
    geometry               jsonb,          -- GeoJSON geometry, EPSG:4326, as imported
    geometry_simplified    jsonb,          -- for drawing
    boundary_source        text NOT NULL DEFAULT 'schematic',
    updated_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE devices (
    device_id   text PRIMARY KEY,
    ward_code   text NOT NULL REFERENCES wards (code),
    domain      text NOT NULL,
    lat         double precision,
    lon         double precision,
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    online      boolean,
    meta        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX devices_ward_domain ON devices (ward_code, domain);

CREATE TABLE dead_letters (
    id           bigserial PRIMARY KEY,
    received_at  timestamptz NOT NULL,
    topic        text NOT NULL,
    payload      bytea NOT NULL,
    reason       text NOT NULL,
    detail       text NOT NULL DEFAULT ''
);
CREATE INDEX dead_letters_received ON dead_letters (received_at);
CREATE INDEX dead_letters_reason ON dead_letters (reason, received_at);

-- Idempotence of events across redelivery, whatever their time column says:
-- (source, event_id) is unique here; `events` itself may be a hypertable,
-- whose unique indexes must include the time column.
CREATE TABLE event_keys (
    source    text NOT NULL,
    event_id  text NOT NULL,
    time      timestamptz NOT NULL,
    PRIMARY KEY (source, event_id)
);

CREATE TABLE incidents (
    id          bigserial PRIMARY KEY,
    opened_at   timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    closed_at   timestamptz,
    ward_code   text REFERENCES wards (code),
    domain      text NOT NULL,
    kind        text NOT NULL,
    severity    text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status      text NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'acknowledged', 'dispatched', 'resolved', 'closed')),
    title       text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}',
    source      text,
    dedup_key   text,
    lat         double precision,
    lon         double precision,
    assignee    text
);
CREATE UNIQUE INDEX incidents_one_open_per_key ON incidents (dedup_key)
    WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX incidents_status ON incidents (status, severity, opened_at DESC);
CREATE INDEX incidents_ward ON incidents (ward_code, opened_at DESC);

CREATE TABLE incident_log (
    id           bigserial PRIMARY KEY,
    incident_id  bigint NOT NULL REFERENCES incidents (id),
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    action       text NOT NULL,
    from_status  text,
    to_status    text,
    note         text NOT NULL DEFAULT ''
);
CREATE INDEX incident_log_incident ON incident_log (incident_id, at);
