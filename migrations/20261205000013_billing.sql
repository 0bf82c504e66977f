-- Billing: products, prices, test clocks, subscriptions and their items, invoices and their
-- lines, and metered usage. Amounts are integers in minor units, times Unix seconds. Objects
-- under a test clock carry the clock's time, not the wall clock's.

-- A merchant may choose a product's id (`prod_starter`), so ids are unique per account and
-- mode, not across the server.
CREATE TABLE products (
    id           TEXT NOT NULL,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    mode         TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT,
    active       BIGINT NOT NULL,
    metadata     TEXT NOT NULL,
    created      BIGINT NOT NULL,
    sort_key     BIGINT NOT NULL,
    PRIMARY KEY (account_id, mode, id)
);
CREATE INDEX products_list ON products (account_id, mode, sort_key, id);

-- A one-off price has no recurring interval. `unit_amount` never changes once created.
CREATE TABLE prices (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts (id),
    mode                TEXT NOT NULL,
    product             TEXT NOT NULL,
    currency            TEXT NOT NULL,
    unit_amount         BIGINT NOT NULL,
    recurring_interval  TEXT,
    recurring_count     BIGINT NOT NULL,
    usage_type          TEXT NOT NULL,
    aggregate_usage     TEXT,
    active              BIGINT NOT NULL,
    nickname            TEXT,
    metadata            TEXT NOT NULL,
    created             BIGINT NOT NULL,
    sort_key            BIGINT NOT NULL
);
CREATE INDEX prices_list ON prices (account_id, mode, sort_key, id);
CREATE INDEX prices_by_product ON prices (account_id, mode, product, sort_key);

-- `advancing_until`: while an advance runs, the time after which another instance may take
-- the clock over (the one advancing it stopped).
CREATE TABLE test_clocks (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts (id),
    mode             TEXT NOT NULL,
    name             TEXT,
    frozen_time      BIGINT NOT NULL,
    status           TEXT NOT NULL,
    advancing_until  BIGINT NOT NULL,
    created          BIGINT NOT NULL,
    sort_key         BIGINT NOT NULL
);
CREATE INDEX test_clocks_list ON test_clocks (account_id, mode, sort_key, id);

ALTER TABLE customers ADD COLUMN test_clock TEXT;
CREATE INDEX customers_by_test_clock ON customers (test_clock) WHERE test_clock IS NOT NULL;

-- Every item of a subscription recurs alike, so the recurrence is the subscription's.
-- `notice_sent_for`: the period end whose `invoice.upcoming` (or `trial_will_end`) was sent.
CREATE TABLE subscriptions (
    id                      TEXT PRIMARY KEY,
    account_id              TEXT NOT NULL REFERENCES accounts (id),
    mode                    TEXT NOT NULL,
    customer                TEXT NOT NULL,
    test_clock              TEXT,
    status                  TEXT NOT NULL,
    currency                TEXT NOT NULL,
    recurring_interval      TEXT NOT NULL,
    recurring_count         BIGINT NOT NULL,
    default_payment_method  TEXT,
    billing_cycle_anchor    BIGINT NOT NULL,
    current_period_start    BIGINT NOT NULL,
    current_period_end      BIGINT NOT NULL,
    trial_start             BIGINT,
    trial_end               BIGINT,
    cancel_at_period_end    BIGINT NOT NULL,
    canceled_at             BIGINT,
    ended_at                BIGINT,
    latest_invoice          TEXT,
    notice_sent_for         BIGINT NOT NULL,
    description             TEXT,
    metadata                TEXT NOT NULL,
    created                 BIGINT NOT NULL,
    sort_key                BIGINT NOT NULL
);
CREATE INDEX subscriptions_list ON subscriptions (account_id, mode, sort_key, id);
CREATE INDEX subscriptions_by_customer ON subscriptions (account_id, mode, customer, sort_key);
CREATE INDEX subscriptions_by_clock ON subscriptions (test_clock) WHERE test_clock IS NOT NULL;
-- What the renewal worker asks for: the next period ends, and first invoices left unpaid.
CREATE INDEX subscriptions_renewing ON subscriptions (current_period_end)
    WHERE status IN ('trialing', 'active', 'past_due');
CREATE INDEX subscriptions_incomplete ON subscriptions (created) WHERE status = 'incomplete';

CREATE TABLE subscription_items (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    mode          TEXT NOT NULL,
    subscription  TEXT NOT NULL,
    price         TEXT NOT NULL,
    quantity      BIGINT NOT NULL,
    created       BIGINT NOT NULL,
    sort_key      BIGINT NOT NULL
);
CREATE INDEX subscription_items_of ON subscription_items (subscription, sort_key);

-- `dunning_at`: when the next retry (or the end of retries) is due; `next_payment_attempt`
-- is what the merchant sees, empty when no retry will run.
CREATE TABLE invoices (
    id                    TEXT PRIMARY KEY,
    account_id            TEXT NOT NULL REFERENCES accounts (id),
    mode                  TEXT NOT NULL,
    customer              TEXT NOT NULL,
    subscription          TEXT,
    test_clock            TEXT,
    status                TEXT NOT NULL,
    currency              TEXT NOT NULL,
    billing_reason        TEXT NOT NULL,
    period_start          BIGINT NOT NULL,
    period_end            BIGINT NOT NULL,
    subtotal              BIGINT NOT NULL,
    total                 BIGINT NOT NULL,
    amount_due            BIGINT NOT NULL,
    amount_paid           BIGINT NOT NULL,
    amount_remaining      BIGINT NOT NULL,
    attempt_count         BIGINT NOT NULL,
    next_payment_attempt  BIGINT,
    dunning_at            BIGINT,
    payment               TEXT,
    finalize_at           BIGINT,
    finalized_at          BIGINT,
    paid_at               BIGINT,
    voided_at             BIGINT,
    marked_uncollectible_at BIGINT,
    created               BIGINT NOT NULL,
    sort_key              BIGINT NOT NULL
);
CREATE INDEX invoices_list ON invoices (account_id, mode, sort_key, id);
CREATE INDEX invoices_by_subscription ON invoices (subscription, sort_key);
CREATE INDEX invoices_by_customer ON invoices (account_id, mode, customer, sort_key);
CREATE INDEX invoices_drafts_due ON invoices (finalize_at) WHERE status = 'draft';
CREATE INDEX invoices_dunning_due ON invoices (dunning_at)
    WHERE status = 'open' AND dunning_at IS NOT NULL;

-- A line without an invoice is pending: a proration waiting for the next invoice.
CREATE TABLE invoice_lines (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts (id),
    mode               TEXT NOT NULL,
    invoice            TEXT,
    subscription       TEXT,
    subscription_item  TEXT,
    price              TEXT,
    kind               TEXT NOT NULL,
    description        TEXT NOT NULL,
    quantity           BIGINT NOT NULL,
    amount             BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    period_start       BIGINT NOT NULL,
    period_end         BIGINT NOT NULL,
    created            BIGINT NOT NULL,
    sort_key           BIGINT NOT NULL
);
CREATE INDEX invoice_lines_of ON invoice_lines (invoice, sort_key) WHERE invoice IS NOT NULL;
CREATE INDEX invoice_lines_pending ON invoice_lines (subscription, sort_key) WHERE invoice IS NULL;

-- An identifier makes a retried report a no-op: one record per item and identifier.
CREATE TABLE usage_records (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts (id),
    mode               TEXT NOT NULL,
    subscription       TEXT NOT NULL,
    subscription_item  TEXT NOT NULL,
    quantity           BIGINT NOT NULL,
    usage_time         BIGINT NOT NULL,
    action             TEXT NOT NULL,
    identifier         TEXT,
    created            BIGINT NOT NULL,
    sort_key           BIGINT NOT NULL
);
CREATE INDEX usage_records_list ON usage_records (account_id, mode, sort_key, id);
CREATE INDEX usage_records_of_item ON usage_records (subscription_item, usage_time);
CREATE UNIQUE INDEX usage_records_identifier ON usage_records (subscription_item, identifier)
    WHERE identifier IS NOT NULL;

-- Per account: days between renewal retries, what a subscription becomes when they run out,
-- and how long a renewal invoice stays a draft before it is finalized and charged.
ALTER TABLE accounts ADD COLUMN billing_retry_days TEXT NOT NULL DEFAULT '3,5,7';
ALTER TABLE accounts ADD COLUMN billing_dunning_end TEXT NOT NULL DEFAULT 'canceled';
ALTER TABLE accounts ADD COLUMN billing_draft_secs BIGINT NOT NULL DEFAULT 3600;

-- Each attempt to pay an invoice is a payment that names it.
ALTER TABLE payments ADD COLUMN invoice TEXT;
CREATE INDEX payments_by_invoice ON payments (invoice, sort_key) WHERE invoice IS NOT NULL;
