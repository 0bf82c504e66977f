-- Hosted checkout: sessions with line items, server-to-server callbacks, and expiry.

-- The checkout session a payment was created by (None for plain API payments): a final result
-- of such a payment queues its session's callback in the same transaction.
ALTER TABLE payments ADD COLUMN checkout_session TEXT;

-- The expiry worker looks only at payments still waiting for their customer.
CREATE INDEX payments_awaiting_expiry ON payments (expires_at)
    WHERE status IN ('requires_payment_method', 'requires_action');

-- The name on the card, as typed at the checkout (never the number or the CVC).
ALTER TABLE payment_methods ADD COLUMN billing_name TEXT;

CREATE TABLE checkout_sessions (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts (id),
    mode               TEXT NOT NULL,
    payment_id         TEXT NOT NULL REFERENCES payments (id),
    merchant_reference TEXT,
    -- JSON array of the order's line items.
    items              TEXT NOT NULL,
    return_url         TEXT,
    callback_url       TEXT,
    expires_at         BIGINT NOT NULL,
    created            BIGINT NOT NULL,
    sort_key           BIGINT NOT NULL
);
CREATE INDEX checkout_sessions_list ON checkout_sessions (account_id, mode, sort_key, id);
CREATE UNIQUE INDEX checkout_sessions_by_payment ON checkout_sessions (payment_id);

-- One row per callback to make; written in the transaction that records the result.
CREATE TABLE callback_deliveries (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    mode            TEXT NOT NULL,
    session_id      TEXT NOT NULL REFERENCES checkout_sessions (id),
    payment_id      TEXT NOT NULL,
    event           TEXT NOT NULL,
    url             TEXT NOT NULL,
    -- pending, delivered or failed (after the last attempt).
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- While an instance is calling, the delivery is taken until this time (seconds; 0 = free).
    lease_until     BIGINT NOT NULL DEFAULT 0,
    created         BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE INDEX callback_deliveries_due ON callback_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX callback_deliveries_by_session ON callback_deliveries (session_id, created);

-- Every attempt, kept: what the merchant's server answered, or why it could not be reached.
CREATE TABLE callback_attempts (
    delivery_id TEXT NOT NULL REFERENCES callback_deliveries (id),
    attempt     BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    status_code BIGINT,
    error       TEXT,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
