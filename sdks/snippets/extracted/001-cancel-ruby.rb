payment = Vinr::Payment.cancel('pay_3Nx8a2Lk')
