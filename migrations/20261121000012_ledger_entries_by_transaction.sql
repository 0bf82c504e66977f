-- Entries are only ever read by their transaction, never by their own id. Keyed by id, each of
-- a capture's three entries landed on its own random index page, and the transaction index
-- on a fourth: the SQLite writer wrote four pages where one serves. Keyed by (transaction,
-- id), a transaction's entries sit together and the separate transaction index goes.
CREATE TABLE ledger_entries_by_tx (
    id             TEXT NOT NULL,
    transaction_id TEXT NOT NULL REFERENCES ledger_transactions (id),
    account_id     TEXT NOT NULL,
    mode           TEXT NOT NULL,
    book           TEXT NOT NULL,
    owner          TEXT NOT NULL,
    currency       TEXT NOT NULL,
    debit          BIGINT NOT NULL,
    credit         BIGINT NOT NULL,
    PRIMARY KEY (transaction_id, id)
);
INSERT INTO ledger_entries_by_tx (id, transaction_id, account_id, mode, book, owner, currency, debit, credit)
    SELECT id, transaction_id, account_id, mode, book, owner, currency, debit, credit
    FROM ledger_entries;
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_by_tx RENAME TO ledger_entries;
CREATE INDEX ledger_entries_by_book ON ledger_entries (account_id, mode, owner, book, currency);
