export async function POST(req: Request) {
  const event = vinr.webhooks.verify(
    await req.text(),
    req.headers.get('x-vinr-signature'),
  );

  switch (event.type) {
    case 'payment.completed':
      await fulfillOrder(event.data.metadata.orderId);   // idempotent!
      break;
    case 'payment.failed':
      await notifyCustomer(event.data.metadata.orderId);
      break;
  }
  return new Response('OK', { status: 200 });
}
