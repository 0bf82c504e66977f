const event = vinr.webhooks.verify(payload, signature);
if (event.type === 'invoice.paid') {
  await grantAccess(event.data.customerId);
}
