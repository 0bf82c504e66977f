const price = await vinr.prices.create({
  productId: 'prod_starter',
  amount: 2900, // €29.00 per period
  currency: 'EUR',
  recurring: { interval: 'month' },
});
const subscription = await vinr.subscriptions.create({
  customerId: 'cust_8fa2',
  priceId: price.id,
});
