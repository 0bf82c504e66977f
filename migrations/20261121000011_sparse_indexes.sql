-- Every payment wrote an entry into each of these indexes, even when the column it serves is
-- empty, as it is for most API payments: the shared SQLite writer spent its time on index
-- pages nobody reads. Lookups by customer, reference, email or settled capture only ever ask
-- for a value, so these indexes now hold only the rows that have one.

-- Superseded by payments_awaiting_expiry (0005); no query reads it.
DROP INDEX payments_expiring;

DROP INDEX payments_by_customer;
CREATE INDEX payments_by_customer ON payments (account_id, mode, customer, sort_key)
    WHERE customer IS NOT NULL;

DROP INDEX payments_by_reference;
CREATE INDEX payments_by_reference ON payments (account_id, mode, customer_reference, sort_key)
    WHERE customer_reference IS NOT NULL;

-- The dashboard's search compares emails without case: the index holds what it compares.
DROP INDEX payments_by_email;
CREATE INDEX payments_by_email ON payments (account_id, mode, lower(customer_email), sort_key)
    WHERE customer_email IS NOT NULL;

-- Only settlements name the capture they settle; captures and refunds need no entry here.
DROP INDEX ledger_one_settlement_per_capture;
CREATE UNIQUE INDEX ledger_one_settlement_per_capture ON ledger_transactions (settles)
    WHERE settles IS NOT NULL;
