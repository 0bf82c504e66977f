curl -X POST https://api.vinr.com/v1/payments/pay_3Nx8a2Lk/adjust \
-H "X-Api-Key: $VINR_SECRET_KEY" \
-d amount=6500
