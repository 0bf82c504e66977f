payment = Vinr::Payment.adjust(
'pay_3Nx8a2Lk',
amount: 6500,
)
