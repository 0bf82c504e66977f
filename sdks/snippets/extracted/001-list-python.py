import vinr

payments = vinr.Payment.list(
  limit=10,
  customer="cust_8aZ2",
)
