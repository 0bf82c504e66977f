const payment = await vinr.payments.retrieve(paymentId);
if (payment.status === 'completed') {
  // show success — but fulfilment happens on the webhook (below)
}
