payment = Vinr::Payment.reverse('pay_3Nx8a2Lk')
