-- Lookups of points transactions, points accounts and redemptions by one column (a source, a
-- customer, a redemption, a payment) within a merchant and mode. Without statistics SQLite
-- ranks an index by how many of a query's equalities it takes and whether it gives the list
-- order, so the list index (account_id, mode, sort_key, id) won over a one-column index, and
-- each such lookup read every row of the merchant: a checkout, a refund, a redemption's end, a
-- filtered list. Each index below leads with its column, then the merchant and mode, then the
-- list order (sort_key, id). Transactions are found by customer (an account's are its
-- customer's in its program); replacing their indexes adds nothing to what an earn writes, and
-- the new ones hold only redemptions' rows.
DROP INDEX points_transactions_by_source;
CREATE INDEX points_transactions_by_source
    ON points_transactions (source_id, account_id, mode, sort_key, id) WHERE source_id IS NOT NULL;
DROP INDEX points_transactions_of_account;
CREATE INDEX points_transactions_of_customer
    ON points_transactions (customer, account_id, mode, sort_key, id);
CREATE INDEX points_transactions_of_redemption
    ON points_transactions (redemption, sort_key, id) WHERE redemption IS NOT NULL;
DROP INDEX loyalty_accounts_of_customer;
CREATE INDEX loyalty_accounts_of_customer
    ON loyalty_accounts (customer, account_id, mode, sort_key, id);
CREATE INDEX loyalty_redemptions_of_payment
    ON loyalty_redemptions (payment, account_id, mode, sort_key, id) WHERE payment IS NOT NULL;
CREATE INDEX loyalty_redemptions_of_customer
    ON loyalty_redemptions (customer, account_id, mode, sort_key, id);
