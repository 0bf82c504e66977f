-- A processor's dispute of a payment (a chargeback), as the processor reported it last:
-- `{id, amount, currency, reason, status, created}`. Found by the processor's id of the
-- authorisation, which only processor payments have (hence the partial index).
ALTER TABLE payments ADD COLUMN dispute TEXT;
CREATE INDEX payments_by_processor_ref ON payments (processor_ref) WHERE processor_ref IS NOT NULL;
