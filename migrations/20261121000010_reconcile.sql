-- The reconciler finds payments whose confirm stopped between claiming the payment
-- (`processing`, with a deadline in acquirer_call_until) and recording the acquirer's answer,
-- and refunds left `pending` the same way. Partial indexes: only rows in those states are in
-- them, so they cost nothing on the hot path once a payment or refund has its answer.
CREATE INDEX payments_processing ON payments (acquirer_call_until) WHERE status = 'processing';
CREATE INDEX refunds_pending ON refunds (created) WHERE status = 'pending';
