if (payment.status === 'requires_action') {
  await vinr.payments.confirm('pay_3Nx8a2Lk', { details: challengeResult });
}
