-- Payments, their charges (one per authorisation attempt), saved card payment methods,
-- connected accounts for `on_behalf_of`, and the events outbox. No card number or CVC is ever
-- stored: a card is its brand, last four, expiry, a keyed fingerprint and, in the sandbox, the
-- test scenario it stands for.

CREATE TABLE payment_methods (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts (id),
    mode              TEXT NOT NULL,
    customer_id       TEXT,
    card_brand        TEXT NOT NULL,
    card_last4        TEXT NOT NULL,
    card_exp_month    BIGINT NOT NULL,
    card_exp_year     BIGINT NOT NULL,
    card_funding      TEXT NOT NULL,
    card_country      TEXT NOT NULL,
    card_fingerprint  TEXT NOT NULL,
    sandbox_scenario  TEXT NOT NULL,
    created           BIGINT NOT NULL,
    sort_key          BIGINT NOT NULL
);
CREATE INDEX payment_methods_list ON payment_methods (account_id, mode, sort_key, id);
CREATE INDEX payment_methods_by_customer ON payment_methods (customer_id);

CREATE TABLE connected_accounts (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    mode        TEXT NOT NULL,
    name        TEXT NOT NULL,
    created     BIGINT NOT NULL,
    sort_key    BIGINT NOT NULL
);

CREATE TABLE payments (
    id                    TEXT PRIMARY KEY,
    account_id            TEXT NOT NULL REFERENCES accounts (id),
    mode                  TEXT NOT NULL,
    amount                BIGINT NOT NULL,
    amount_capturable     BIGINT NOT NULL,
    amount_received       BIGINT NOT NULL,
    amount_refunded       BIGINT NOT NULL,
    currency              TEXT NOT NULL,
    status                TEXT NOT NULL,
    capture_method        TEXT NOT NULL,
    payment_method        TEXT,
    customer              TEXT,
    customer_reference    TEXT,
    customer_email        TEXT,
    customer_name         TEXT,
    customer_phone        TEXT,
    description           TEXT,
    product_name          TEXT,
    metadata              TEXT NOT NULL,
    return_url            TEXT,
    statement_descriptor  TEXT,
    on_behalf_of          TEXT,
    acquirer              TEXT NOT NULL,
    latest_charge         TEXT,
    next_action           TEXT,
    last_payment_error    TEXT,
    adjustment            TEXT,
    reversal              TEXT,
    cancellation_reason   TEXT,
    expires_at            BIGINT NOT NULL,
    created               BIGINT NOT NULL,
    sort_key              BIGINT NOT NULL
);
CREATE INDEX payments_list ON payments (account_id, mode, sort_key, id);
CREATE INDEX payments_by_customer ON payments (account_id, mode, customer, sort_key);
CREATE INDEX payments_by_reference ON payments (account_id, mode, customer_reference, sort_key);
CREATE INDEX payments_by_status ON payments (account_id, mode, status, sort_key);
CREATE INDEX payments_expiring ON payments (status, expires_at);

CREATE TABLE charges (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts (id),
    mode               TEXT NOT NULL,
    payment_id         TEXT NOT NULL REFERENCES payments (id),
    amount             BIGINT NOT NULL,
    amount_captured    BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    status             TEXT NOT NULL,
    payment_method     TEXT NOT NULL,
    card_brand         TEXT NOT NULL,
    card_last4         TEXT NOT NULL,
    card_exp_month     BIGINT NOT NULL,
    card_exp_year      BIGINT NOT NULL,
    card_funding       TEXT NOT NULL,
    card_country       TEXT NOT NULL,
    acquirer           TEXT NOT NULL,
    failure_code       TEXT,
    failure_message    TEXT,
    created            BIGINT NOT NULL,
    sort_key           BIGINT NOT NULL
);
CREATE INDEX charges_by_payment ON charges (payment_id, sort_key);

-- The outbox: written in the transaction of the change it describes.
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    mode        TEXT NOT NULL,
    type        TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    data        TEXT NOT NULL,
    created     BIGINT NOT NULL,
    sort_key    BIGINT NOT NULL
);
CREATE INDEX events_list ON events (account_id, mode, sort_key, id);
CREATE INDEX events_by_object ON events (object_id, sort_key);
