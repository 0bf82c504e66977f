// Earn points automatically when a payment completes
const event = vinr.webhooks.verify(payload, signature);
if (event.type === 'payment.completed') {
  await vinr.loyalty.points.earn({
    programId: 'prog_default',
    customerId: event.data.customerId,
    amount: Math.floor(event.data.amount / 100), // 1 point per euro
    sourcePaymentId: event.data.id,
  });
}
