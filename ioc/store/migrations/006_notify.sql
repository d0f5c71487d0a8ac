-- Notifications: a durable outbox filled from incident_log, drained by `ioc notify`.
-- Both flavours.  docs/notifications.md describes the guarantees.

-- The incident_log rows already turned into outbox rows.  Log ids are taken when
-- a row is inserted but become visible when its transaction commits, so a
-- plain "id > cursor" could skip a row committed late: the notifier reads every
-- row above `floor_id` that is not in notify_seen, and moves the floor up only
-- past rows it has seen for more than ten minutes.
CREATE TABLE notify_cursor (
    name      text PRIMARY KEY,
    floor_id  bigint NOT NULL
);
INSERT INTO notify_cursor (name, floor_id)
    SELECT 'outbox', coalesce(max(id), 0) FROM incident_log;

CREATE TABLE notify_seen (
    log_id   bigint PRIMARY KEY,
    seen_at  timestamptz NOT NULL DEFAULT now()
);

-- One message for one channel.  Pending until a channel accepted it: nothing is
-- dropped; a failing channel's messages wait here.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    dedup_key    text NOT NULL UNIQUE,
    channel      text NOT NULL,
    route        text NOT NULL,
    incident_id  bigint NOT NULL,
    log_id       bigint,
    kind         text NOT NULL CHECK (kind IN ('change', 'repeat', 'escalate')),
    severity     text NOT NULL,
    payload      jsonb NOT NULL,
    not_before   timestamptz NOT NULL DEFAULT now(),   -- held through quiet hours
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
    attempts     integer NOT NULL DEFAULT 0,
    sent_at      timestamptz,
    last_error   text
);
CREATE INDEX outbox_pending ON outbox (channel, id) WHERE status = 'pending';
CREATE INDEX outbox_incident ON outbox (incident_id);

-- Each channel's health: consecutive failures, when to try it next, failing or ok.
CREATE TABLE notify_channels (
    channel         text PRIMARY KEY,
    kind            text NOT NULL,
    state           text NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'failing')),
    failures        integer NOT NULL DEFAULT 0,
    retry_at        timestamptz NOT NULL DEFAULT now(),
    last_ok_at      timestamptz,
    last_failed_at  timestamptz,
    last_error      text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Every attempt, for the admins' delivery log.
CREATE TABLE delivery_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    outbox_id    bigint NOT NULL,
    channel      text NOT NULL,
    incident_id  bigint NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('sent', 'failed')),
    detail       text NOT NULL DEFAULT '',
    duration_ms  integer NOT NULL
);
CREATE INDEX delivery_log_at ON delivery_log (at DESC);
