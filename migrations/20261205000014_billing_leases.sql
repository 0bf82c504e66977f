-- An instance's claim on a subscription's or an invoice's due step (renewal, notice, expiry,
-- finalization, retry) until this time, so that several instances on one database each
-- take different work. The compare-and-set of each step still decides: a lease only spares
-- the others the wasted work.
ALTER TABLE subscriptions ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
