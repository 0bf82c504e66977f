-- Refunds: money given back from a captured payment, one row each, and the part of the
-- payment's received amount held by refunds still waiting for the acquirer.

ALTER TABLE payments ADD COLUMN refunds_pending BIGINT NOT NULL DEFAULT 0;

CREATE TABLE refunds (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id),
    mode           TEXT NOT NULL,
    payment_id     TEXT NOT NULL REFERENCES payments (id),
    charge_id      TEXT,
    amount         BIGINT NOT NULL,
    currency       TEXT NOT NULL,
    -- pending, succeeded or failed.
    status         TEXT NOT NULL,
    reason         TEXT,
    metadata       TEXT NOT NULL,
    failure_reason TEXT,
    created        BIGINT NOT NULL,
    sort_key       BIGINT NOT NULL
);
CREATE INDEX refunds_list ON refunds (account_id, mode, sort_key, id);
CREATE INDEX refunds_by_payment ON refunds (payment_id, sort_key);

-- Which refund a ledger transaction posts.
ALTER TABLE ledger_transactions ADD COLUMN refund_id TEXT;
