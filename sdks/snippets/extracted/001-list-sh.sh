curl "https://api.vinr.com/v1/payments?limit=10&customer=cust_8aZ2" \
-H "X-Api-Key: $VINR_SECRET_KEY"
