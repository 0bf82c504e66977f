curl -X POST https://api.vinr.com/v1/payments \
-H "X-Api-Key: $VINR_SECRET_KEY" \
-d amount=5000 \
-d currency=EUR \
-d payment_method=pm_card_visa \
-d customer=cust_8aZ2
