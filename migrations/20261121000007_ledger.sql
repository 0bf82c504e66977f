-- The double-entry ledger: immutable transactions of balanced entries, and running balances
-- kept in the same database transaction (checked against the entries by `vinr ledger verify`).

-- The fee taken on a captured charge (minor units).
ALTER TABLE charges ADD COLUMN fee BIGINT NOT NULL DEFAULT 0;

CREATE TABLE ledger_transactions (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    mode         TEXT NOT NULL,
    -- capture or settlement (refunds and reversals come with them).
    kind         TEXT NOT NULL,
    payment_id   TEXT,
    charge_id    TEXT,
    -- The merchant or connected account the money belongs to.
    owner        TEXT NOT NULL,
    currency     TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    fee          BIGINT NOT NULL,
    net          BIGINT NOT NULL,
    -- Captures: when the net becomes available.
    available_on BIGINT,
    -- Settlements: the capture they settle (once: unique).
    settles      TEXT,
    created      BIGINT NOT NULL,
    sort_key     BIGINT NOT NULL
);
CREATE INDEX ledger_transactions_list ON ledger_transactions (account_id, mode, sort_key, id);
CREATE INDEX ledger_transactions_by_payment ON ledger_transactions (payment_id, sort_key);
-- Each captured payment is posted exactly once.
CREATE UNIQUE INDEX ledger_one_capture_per_payment ON ledger_transactions (payment_id)
    WHERE kind = 'capture';
CREATE UNIQUE INDEX ledger_one_settlement_per_capture ON ledger_transactions (settles);
CREATE INDEX ledger_captures_to_settle ON ledger_transactions (available_on) WHERE kind = 'capture';

CREATE TABLE ledger_entries (
    id             TEXT PRIMARY KEY,
    transaction_id TEXT NOT NULL REFERENCES ledger_transactions (id),
    account_id     TEXT NOT NULL,
    mode           TEXT NOT NULL,
    book           TEXT NOT NULL,
    owner          TEXT NOT NULL,
    currency       TEXT NOT NULL,
    debit          BIGINT NOT NULL,
    credit         BIGINT NOT NULL
);
CREATE INDEX ledger_entries_by_transaction ON ledger_entries (transaction_id);
CREATE INDEX ledger_entries_by_book ON ledger_entries (account_id, mode, owner, book, currency);

CREATE TABLE ledger_balances (
    account_id TEXT NOT NULL,
    mode       TEXT NOT NULL,
    owner      TEXT NOT NULL,
    book       TEXT NOT NULL,
    currency   TEXT NOT NULL,
    balance    BIGINT NOT NULL,
    PRIMARY KEY (account_id, mode, owner, book, currency)
);
