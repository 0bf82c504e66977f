-- Live mode through real processors (#24).
--
-- A processor connection keeps its settings sealed (its secret key and signing secret are
-- encrypted with a key derived from the server secret); the sandbox's have none.
ALTER TABLE acquirer_connections ADD COLUMN settings TEXT;

-- A card tokenised at a processor: which connection holds it and the processor's token. A
-- sandbox card has neither.
ALTER TABLE payment_methods ADD COLUMN processor TEXT;
ALTER TABLE payment_methods ADD COLUMN processor_token TEXT;

-- The attempt a payment in `processing` waits on (the id its charge will have, sent to the
-- processor as the idempotency key, so a lost answer is looked up rather than charged again)
-- and the processor's id of the authorisation it holds.
ALTER TABLE payments ADD COLUMN attempt TEXT;
ALTER TABLE payments ADD COLUMN processor_ref TEXT;
ALTER TABLE charges ADD COLUMN processor_id TEXT;

-- Live mode moves real money: its default connection is the merchant's choice of processor,
-- none until they add one. The sandbox connections live mode started with go.
ALTER TABLE accounts ADD COLUMN live_acquirer TEXT;
DELETE FROM acquirer_connections WHERE mode = 'live' AND kind = 'sandbox';
