-- While a capture, cancel, adjust or reverse is asking the acquirer to move money, the payment is
-- taken until this time (seconds; 0 = free), so a concurrent one gets a 409 instead of making a
-- second call. A crashed instance's hold runs out by itself.
ALTER TABLE payments ADD COLUMN acquirer_call_until BIGINT NOT NULL DEFAULT 0;
