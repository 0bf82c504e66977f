payment = Vinr::Payment.capture('pay_3Nx8a2Lk')
