-- Engagement: loyalty programs, the customers' points accounts, the points transactions with
-- their double-entry points ledger and the lots they spend, rewards and redemptions. Points are
-- integers; times are Unix seconds.

-- Every merchant and mode has `prog_default`, so program ids are unique per account and mode.
-- `earn_rules` is the JSON list the API shows; a program starts with none.
CREATE TABLE loyalty_programs (
    id               TEXT NOT NULL,
    account_id       TEXT NOT NULL REFERENCES accounts (id),
    mode             TEXT NOT NULL,
    name             TEXT NOT NULL,
    earn_rules       TEXT NOT NULL,
    pending_days     BIGINT NOT NULL,
    expiry_days      BIGINT,
    refund_earned    TEXT NOT NULL,
    refund_redeemed  TEXT NOT NULL,
    allow_negative   BIGINT NOT NULL,
    metadata         TEXT NOT NULL,
    created          BIGINT NOT NULL,
    sort_key         BIGINT NOT NULL,
    PRIMARY KEY (account_id, mode, id)
);
CREATE INDEX loyalty_programs_list ON loyalty_programs (account_id, mode, sort_key, id);

INSERT INTO loyalty_programs (id, account_id, mode, name, earn_rules, pending_days, expiry_days,
    refund_earned, refund_redeemed, allow_negative, metadata, created, sort_key)
SELECT 'prog_default', a.id, m.mode, 'Default', '[]', 0, NULL, 'clawback',
    'restore_on_full_refund', 0, '{}', a.created, a.created * 1000000
FROM accounts a CROSS JOIN (SELECT 'test' AS mode UNION ALL SELECT 'live' AS mode) m;

-- A customer's points in one program. Each book's balance is cached here and equals the sum
-- of its entries (`vinr ledger verify` proves it); `issued` is minus every point given.
-- `version` grows with each change, for the compare-and-set of a change worked out ahead.
CREATE TABLE loyalty_accounts (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts (id),
    mode             TEXT NOT NULL,
    program          TEXT NOT NULL,
    customer         TEXT NOT NULL,
    issued           BIGINT NOT NULL,
    pending          BIGINT NOT NULL,
    available        BIGINT NOT NULL,
    reserved         BIGINT NOT NULL,
    redeemed         BIGINT NOT NULL,
    expired          BIGINT NOT NULL,
    lifetime_earned  BIGINT NOT NULL,
    version          BIGINT NOT NULL,
    created          BIGINT NOT NULL,
    sort_key         BIGINT NOT NULL,
    UNIQUE (account_id, mode, program, customer)
);
CREATE INDEX loyalty_accounts_list ON loyalty_accounts (account_id, mode, sort_key, id);
CREATE INDEX loyalty_accounts_of_customer ON loyalty_accounts (customer);

-- Append-only. `points` is signed (what the customer's pending and available balances gained
-- or lost), `balance_after` their sum after it. At most one earn per program and source.
CREATE TABLE points_transactions (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts (id),
    mode             TEXT NOT NULL,
    program          TEXT NOT NULL,
    loyalty_account  TEXT NOT NULL REFERENCES loyalty_accounts (id),
    customer         TEXT NOT NULL,
    type             TEXT NOT NULL,
    points           BIGINT NOT NULL,
    balance_after    BIGINT NOT NULL,
    source_type      TEXT,
    source_id        TEXT,
    reverses         TEXT,
    redemption       TEXT,
    reason           TEXT,
    metadata         TEXT NOT NULL,
    created          BIGINT NOT NULL,
    sort_key         BIGINT NOT NULL
);
CREATE UNIQUE INDEX points_one_earn_per_source
    ON points_transactions (account_id, mode, program, source_type, source_id) WHERE type = 'earn';
CREATE INDEX points_transactions_list ON points_transactions (account_id, mode, sort_key, id);
CREATE INDEX points_transactions_of_account ON points_transactions (loyalty_account, sort_key);
CREATE INDEX points_transactions_by_source ON points_transactions (source_id) WHERE source_id IS NOT NULL;
CREATE INDEX points_transactions_reversing ON points_transactions (reverses) WHERE reverses IS NOT NULL;

-- The transaction's entries, one per book it moves; they sum to zero.
CREATE TABLE points_entries (
    ptx              TEXT NOT NULL REFERENCES points_transactions (id),
    loyalty_account  TEXT NOT NULL,
    book             TEXT NOT NULL,
    points           BIGINT NOT NULL,
    PRIMARY KEY (ptx, book)
);
CREATE INDEX points_entries_of_account ON points_entries (loyalty_account);

-- Points given together, spent or expired together. A lot is `pending` until `available_at`;
-- spends take the soonest-expiring lots first. `remaining` only changes with a use below.
CREATE TABLE points_lots (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL,
    mode             TEXT NOT NULL,
    loyalty_account  TEXT NOT NULL REFERENCES loyalty_accounts (id),
    ptx              TEXT NOT NULL,
    points           BIGINT NOT NULL,
    remaining        BIGINT NOT NULL,
    pending          BIGINT NOT NULL,
    available_at     BIGINT NOT NULL,
    expires_at       BIGINT,
    created          BIGINT NOT NULL
);
CREATE INDEX points_lots_of_account ON points_lots (loyalty_account) WHERE remaining > 0;
CREATE INDEX points_lots_activation ON points_lots (available_at) WHERE pending = 1;
CREATE INDEX points_lots_expiry ON points_lots (expires_at) WHERE pending = 0 AND remaining > 0;

-- What each transaction took from (positive) or gave back to (negative) each lot.
CREATE TABLE points_lot_uses (
    ptx              TEXT NOT NULL,
    lot              TEXT NOT NULL,
    points           BIGINT NOT NULL,
    created          BIGINT NOT NULL,
    PRIMARY KEY (ptx, lot)
);
CREATE INDEX points_lot_uses_of_lot ON points_lot_uses (lot);

-- A reward: what it costs in points and what it takes off a payment.
CREATE TABLE loyalty_rewards (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts (id),
    mode             TEXT NOT NULL,
    program          TEXT NOT NULL,
    name             TEXT NOT NULL,
    cost_points      BIGINT NOT NULL,
    discount_amount  BIGINT,
    currency         TEXT,
    discount_percent BIGINT,
    active           BIGINT NOT NULL,
    metadata         TEXT NOT NULL,
    created          BIGINT NOT NULL,
    sort_key         BIGINT NOT NULL
);
CREATE INDEX loyalty_rewards_list ON loyalty_rewards (account_id, mode, sort_key, id);

-- A reward redeemed: at once (`completed`), or reserved against a payment awaiting its
-- method (`reserved`) until the payment succeeds (`completed`) or ends (`canceled`).
CREATE TABLE loyalty_redemptions (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts (id),
    mode             TEXT NOT NULL,
    program          TEXT NOT NULL,
    loyalty_account  TEXT NOT NULL REFERENCES loyalty_accounts (id),
    customer         TEXT NOT NULL,
    reward           TEXT NOT NULL,
    points           BIGINT NOT NULL,
    status           TEXT NOT NULL,
    payment          TEXT,
    discount         BIGINT NOT NULL,
    restored         BIGINT NOT NULL,
    metadata         TEXT NOT NULL,
    created          BIGINT NOT NULL,
    sort_key         BIGINT NOT NULL
);
CREATE INDEX loyalty_redemptions_list ON loyalty_redemptions (account_id, mode, sort_key, id);
CREATE UNIQUE INDEX loyalty_redemptions_one_per_payment ON loyalty_redemptions (payment)
    WHERE payment IS NOT NULL AND status <> 'canceled';
