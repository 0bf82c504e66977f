await vinr.payments.reverse('pay_3Nx8a2Lk', { amount: 2000 });
// releases 2000 of the 5000 hold; remaining 3000 stays authorized
