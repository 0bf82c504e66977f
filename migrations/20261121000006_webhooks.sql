-- Webhooks: endpoints, one delivery per (event, endpoint) queued in the event's own
-- transaction, and every attempt to deliver it.

CREATE TABLE webhook_endpoints (
    id                         TEXT PRIMARY KEY,
    account_id                 TEXT NOT NULL REFERENCES accounts (id),
    mode                       TEXT NOT NULL,
    url                        TEXT NOT NULL,
    description                TEXT,
    -- JSON array of event types, or ["*"].
    enabled_events             TEXT NOT NULL,
    -- enabled or disabled.
    status                     TEXT NOT NULL,
    -- Why it is disabled: "gone" (the receiver answered 410) or "requested" (by the merchant).
    disabled_reason            TEXT,
    metadata                   TEXT NOT NULL,
    -- The signing secret (whsec_…). It must be readable to sign, so it is stored as is; it is
    -- shown to the merchant only when created or rotated.
    secret                     TEXT NOT NULL,
    -- After a rotation the old secret still signs until this time (both signatures are sent).
    previous_secret            TEXT,
    previous_secret_expires_at BIGINT,
    deleted                    BIGINT NOT NULL DEFAULT 0,
    created                    BIGINT NOT NULL,
    sort_key                   BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_list ON webhook_endpoints (account_id, mode, sort_key, id);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    mode            TEXT NOT NULL,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id),
    event_id        TEXT NOT NULL REFERENCES events (id),
    event_type      TEXT NOT NULL,
    -- pending, delivered, failed (after the last attempt) or canceled (endpoint disabled).
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- While an instance is sending, the delivery is taken until this time (seconds; 0 = free)
    -- by the holder of lease_token.
    lease_until     BIGINT NOT NULL DEFAULT 0,
    lease_token     TEXT,
    delivered_at    BIGINT,
    created         BIGINT NOT NULL,
    sort_key        BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, sort_key, id);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id, sort_key, id);

-- Every attempt: what the receiver answered (status, first KB of the body) or why it could
-- not be reached.
CREATE TABLE webhook_attempts (
    delivery_id   TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt       BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    status_code   BIGINT,
    error         TEXT,
    duration_ms   BIGINT NOT NULL,
    response_body TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
