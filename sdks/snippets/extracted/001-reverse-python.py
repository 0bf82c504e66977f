import vinr

payment = vinr.Payment.reverse("pay_3Nx8a2Lk")
