curl -X POST https://api.vinr.com/v1/payments/pay_3Nx8a2Lk/reverse \
-H "X-Api-Key: $VINR_SECRET_KEY"
