const payment = await vinr.payments.create({
  amount: 1000,
  currency: 'EUR',
  paymentMethod: 'pm_tokenized_from_your_client',
  confirm: true,
});
