import vinr

payment = vinr.Payment.capture("pay_3Nx8a2Lk")
