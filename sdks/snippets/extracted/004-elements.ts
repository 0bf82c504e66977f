const session = await vinr.payments.createSession({
  amount: 1000,
  currency: 'EUR',
});
// Pass session.clientSecret to the browser and mount Elements with it.
