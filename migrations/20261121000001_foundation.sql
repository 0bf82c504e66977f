-- Foundation: merchants (accounts), API keys, dashboard users and sessions, idempotency keys,
-- customers. Portable SQL: it runs unchanged on SQLite and Postgres. Integers are BIGINT,
-- times are Unix seconds (or microseconds for `sort_key`), JSON is TEXT.

CREATE TABLE accounts (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    email            TEXT NOT NULL,
    default_currency TEXT NOT NULL,
    brand_color      TEXT NOT NULL,
    is_demo          BIGINT NOT NULL DEFAULT 0,
    created          BIGINT NOT NULL
);

-- Only a SHA-256 digest of a secret key is kept. Publishable keys are public by design and are
-- kept whole in `hint` so the dashboard can show them again.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    mode        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    digest      TEXT NOT NULL UNIQUE,
    hint        TEXT NOT NULL,
    created     BIGINT NOT NULL,
    expires_at  BIGINT
);
CREATE INDEX api_keys_by_account ON api_keys (account_id, mode, kind);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    email           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    failed_logins   BIGINT NOT NULL DEFAULT 0,
    locked_until    BIGINT NOT NULL DEFAULT 0,
    created         BIGINT NOT NULL
);

CREATE TABLE sessions (
    digest      TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    mode        TEXT NOT NULL,
    created     BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- One row per (account, mode, key). `state` is `in_flight` while a request holds the key on
-- Postgres (so other instances answer 409) and `done` once the response is stored, in the same
-- transaction as the request's effect.
CREATE TABLE idempotency_keys (
    account_id       TEXT NOT NULL,
    mode             TEXT NOT NULL,
    idem_key         TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    owner            TEXT NOT NULL,
    state            TEXT NOT NULL,
    locked_until     BIGINT NOT NULL,
    response_status  BIGINT,
    response_body    TEXT,
    created          BIGINT NOT NULL,
    PRIMARY KEY (account_id, mode, idem_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created);

CREATE TABLE customers (
    id                      TEXT PRIMARY KEY,
    account_id              TEXT NOT NULL REFERENCES accounts (id),
    mode                    TEXT NOT NULL,
    email                   TEXT,
    name                    TEXT,
    phone                   TEXT,
    description             TEXT,
    metadata                TEXT NOT NULL,
    default_payment_method  TEXT,
    deleted                 BIGINT NOT NULL DEFAULT 0,
    created                 BIGINT NOT NULL,
    sort_key                BIGINT NOT NULL
);
CREATE INDEX customers_list ON customers (account_id, mode, sort_key, id);
CREATE INDEX customers_by_email ON customers (account_id, mode, email);
