import vinr

payment = vinr.Payment.cancel("pay_3Nx8a2Lk")
