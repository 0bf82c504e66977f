payment = Vinr::Payment.retrieve('pay_3Nx8a2Lk')
