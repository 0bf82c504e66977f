await vinr.payments.capture('pay_3Nx8a2Lk', { amount_to_capture: 3000 });
