import vinr

payment = vinr.Payment.retrieve("pay_3Nx8a2Lk")
