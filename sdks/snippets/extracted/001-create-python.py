import vinr

payment = vinr.Payment.create(
  amount=5000,
  currency="EUR",
  payment_method="pm_card_visa",
  customer="cust_8aZ2",
)
