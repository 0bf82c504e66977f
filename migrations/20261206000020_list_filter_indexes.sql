-- A list filtered by one column (payments of a customer, refunds or ledger transactions of a
-- payment, events of an object, invoices, subscriptions, prices, saved cards, customers by
-- e-mail) is ordered by (sort_key, id). An index that ended at sort_key could not give that
-- order, so SQLite (planning without statistics) read the merchant's list index instead and
-- filtered every row of the merchant. Each filter's index now ends with (sort_key, id) and
-- holds the merchant and mode; one led by an id (a payment, an object, a subscription, a
-- customer) still serves the lookups by that id alone. Same entries as before: nothing more is
-- written per row.
DROP INDEX payments_by_customer;
CREATE INDEX payments_by_customer ON payments (account_id, mode, customer, sort_key, id)
    WHERE customer IS NOT NULL;
DROP INDEX payments_by_reference;
CREATE INDEX payments_by_reference ON payments (account_id, mode, customer_reference, sort_key, id)
    WHERE customer_reference IS NOT NULL;
DROP INDEX payments_by_status;
CREATE INDEX payments_by_status ON payments (account_id, mode, status, sort_key, id);
DROP INDEX payments_by_email;
CREATE INDEX payments_by_email ON payments (account_id, mode, lower(customer_email), sort_key, id)
    WHERE customer_email IS NOT NULL;
DROP INDEX refunds_by_payment;
CREATE INDEX refunds_by_payment ON refunds (payment_id, account_id, mode, sort_key, id);
DROP INDEX ledger_transactions_by_payment;
CREATE INDEX ledger_transactions_by_payment
    ON ledger_transactions (payment_id, account_id, mode, sort_key, id);
DROP INDEX events_by_object;
CREATE INDEX events_by_object ON events (object_id, account_id, mode, sort_key, id);
DROP INDEX payment_methods_by_customer;
CREATE INDEX payment_methods_by_customer
    ON payment_methods (customer_id, account_id, mode, sort_key, id);
DROP INDEX customers_by_email;
CREATE INDEX customers_by_email ON customers (account_id, mode, lower(email), sort_key, id);
DROP INDEX prices_by_product;
CREATE INDEX prices_by_product ON prices (account_id, mode, product, sort_key, id);
DROP INDEX subscriptions_by_customer;
CREATE INDEX subscriptions_by_customer ON subscriptions (account_id, mode, customer, sort_key, id);
DROP INDEX subscriptions_by_clock;
CREATE INDEX subscriptions_by_clock ON subscriptions (test_clock, account_id, mode, sort_key, id)
    WHERE test_clock IS NOT NULL;
DROP INDEX invoices_by_subscription;
CREATE INDEX invoices_by_subscription ON invoices (subscription, account_id, mode, sort_key, id);
DROP INDEX invoices_by_customer;
CREATE INDEX invoices_by_customer ON invoices (account_id, mode, customer, sort_key, id);
