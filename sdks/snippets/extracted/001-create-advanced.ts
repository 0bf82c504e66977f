const auth = await vinr.payments.create(
  {
    amount: 5000,
    currency: 'EUR',
    payment_method: 'pm_card_visa',
    capture_method: 'manual',                 // funds held, not captured
    routing: { preferred_acquirer: 'acq_eu_1' },
  },
  { idempotencyKey: `order-${order.id}` },     // retries collapse to one payment
);
// auth.status === "requires_capture"
