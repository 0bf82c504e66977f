const { checkoutUrl } = await fetch('/api/checkout', {
  method: 'POST',
  body: JSON.stringify({ orderId: '1234' }),
}).then((r) => r.json());

window.location.href = checkoutUrl;
