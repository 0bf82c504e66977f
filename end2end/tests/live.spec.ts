import { test, expect, type Page, type APIRequestContext } from '@playwright/test';
import { createServer } from 'node:http';
import { stripeUrl } from '../global-setup';

// Live mode through a processor: a merchant adds a Stripe connection in Settings (pointed at
// localstripe, the Stripe fake), and customers pay on the hosted checkout, where the card goes
// to the processor to be tokenised, a decline comes from it and a 3-D Secure challenge happens
// on its page.

test.describe.configure({ mode: 'serial' });

let liveKey = '';
let livePublishable = '';

/** A merchant's shop page in live mode, on an origin of its own that the test serves. */
const LIVE_SHOP = 'http://127.0.0.1:3103';

async function shot(page: Page, name: string) {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
}

async function livePayment(request: APIRequestContext, baseURL: string, amount: string) {
  const created = await request.post('/v1/payments', {
    headers: { 'X-Api-Key': liveKey },
    form: { amount, currency: 'EUR', description: 'Live order', return_url: `${baseURL.replace('127.0.0.1', 'localhost')}/healthz` },
  });
  expect(created.status()).toBe(200);
  const payment = await created.json();
  expect(payment.livemode).toBe(true);
  expect(payment.acquirer).toBe('acq_stripe');
  return payment as { id: string; checkout_url: string };
}

async function statusOf(request: APIRequestContext, id: string): Promise<string> {
  const res = await request.get(`/v1/payments/${id}`, { headers: { 'X-Api-Key': liveKey } });
  return (await res.json()).status;
}

async function pay(page: Page, checkoutUrl: string, number: string) {
  await page.goto(checkoutUrl);
  await expect(page.getByTestId('card-form')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Name on card').fill('Ada Lovelace');
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry (MM / YY)').fill('1234');
  await page.getByLabel('Security code').fill('123');
  await page.getByTestId('pay').click();
}

test('a merchant goes live by adding a Stripe connection in Settings', async ({ page }) => {
  await page.goto('/signup');
  await page.getByLabel('Business name').fill('Live Tea');
  await page.getByLabel('E-mail').fill(`live-${Date.now()}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard\/developers\?notice=welcome$/);

  await page.getByRole('button', { name: 'View live data' }).click();
  await expect(page.getByTestId('notice')).toContainText('live data');
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Developers' }).click();
  await page.getByText('Roll a key…').click();
  await page.getByRole('button', { name: 'Confirm roll' }).click();
  liveKey = (await page.getByTestId('new-secret-key').textContent())!.trim();
  expect(liveKey).toMatch(/^sk_live_/);
  livePublishable = (await page.getByTestId('publishable-key').textContent())!.trim();
  expect(livePublishable).toMatch(/^pk_live_/);

  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Settings' }).click();
  const form = async (key: string) => {
    await page.getByText('Add connection…').click();
    await page.getByLabel('Id', { exact: true }).fill('acq_stripe');
    await page.getByLabel('Name', { exact: true }).fill('Stripe');
    await expect(page.getByLabel('Type', { exact: true })).toHaveValue('stripe');
    await page.getByLabel('Secret key', { exact: true }).fill(key);
    await page.getByLabel('API base (optional)').fill(stripeUrl());
  };
  // A key Stripe refuses is reported at once, and nothing is saved.
  await form('rk_live_refused');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('error')).toContainText('refused');
  await form('sk_live_e2e');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('notice')).toContainText('Checked: the connection works');
  await expect(page.getByTestId('connections')).not.toContainText('acq_stripe');
  await form('sk_live_e2e');
  await page.getByRole('button', { name: 'Add connection', exact: true }).click();
  await expect(page.getByTestId('notice')).toHaveText('Acquirer connection added.');
  await expect(page.getByTestId('connections')).toContainText('acq_stripe');
  await expect(page.getByTestId('connections').getByRole('row', { name: /acq_stripe/ })).toContainText('Default');
  await expect(page.locator('body')).not.toContainText('sk_live_e2e');
  await shot(page, 'live-settings');
  // The shop that embeds the card element may frame it.
  await page.getByLabel('Allowed embed origins').fill(LIVE_SHOP);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByTestId('notice')).toHaveText('Settings saved.');
});

test('a customer pays a live payment on the checkout; the card goes to the processor', async ({ page, request, baseURL }) => {
  const payment = await livePayment(request, baseURL!, '2500');
  await pay(page, payment.checkout_url, '4111111111111111');
  await expect(page).toHaveURL(new RegExp(`/healthz\\?payment_id=${payment.id}&status=succeeded$`));
  expect(await statusOf(request, payment.id)).toBe('succeeded');
  // The processor holds the intent VINR made, for the payment and with our attempt id.
  const intents = await (await request.get(`${stripeUrl()}/v1/payment_intents?limit=100`, { headers: { Authorization: 'Bearer sk_live_e2e' } })).json();
  const ours = intents.data.filter((pi: any) => pi.metadata.vinr_payment === payment.id);
  expect(ours).toHaveLength(1);
  expect(ours[0].status).toBe('succeeded');
});

test('a test card is refused in live mode, and a processor decline lets the customer retry', async ({ page, request, baseURL }) => {
  const payment = await livePayment(request, baseURL!, '1800');
  await pay(page, payment.checkout_url, '4242424242424242');
  await expect(page.getByTestId('number-error')).toHaveText('This is a test card: live payments need a real card.');
  await pay(page, payment.checkout_url, '4000000000000341');
  await expect(page.getByRole('alert')).toContainText('declined');
  expect(await statusOf(request, payment.id)).toBe('requires_payment_method');
  await pay(page, payment.checkout_url, '5105105105105100');
  await expect(page).toHaveURL(new RegExp(`/healthz\\?payment_id=${payment.id}&status=succeeded$`));
});

test("3-D Secure happens on the processor's page and comes back through VINR", async ({ page, request, baseURL }) => {
  const payment = await livePayment(request, baseURL!, '4200');
  await pay(page, payment.checkout_url, '4000002760003184');
  await expect(page).toHaveURL(new RegExp(`^${stripeUrl()}/_acs/pi_`));
  await shot(page, 'live-3ds');
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await expect(page).toHaveURL(new RegExp(`/healthz\\?payment_id=${payment.id}&status=succeeded$`));
  expect(await statusOf(request, payment.id)).toBe('succeeded');
});

test('the card element pays a live payment: typed in the frame, tokenised at the processor', async ({ page, request, baseURL }) => {
  // The shop's server makes the payment session with the live secret key ...
  const created = await request.post('/v1/payment_sessions', {
    headers: { 'X-Api-Key': liveKey },
    form: { amount: '1500', currency: 'EUR', description: 'Live order, embedded' },
  });
  expect(created.status()).toBe(200);
  const session = await created.json();
  const paymentId: string = session.payment.id;
  expect(session.payment.livemode).toBe(true);
  // ... and its page mounts the element with the live publishable key, as the guide shows.
  const shopPage = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Live shop</title>
<script src="${baseURL}/v1/elements.js"></script></head>
<body><div id="card"></div>
<button id="pay" type="button" disabled data-testid="shop-pay">Pay</button>
<p id="status" data-testid="shop-status">Loading</p>
<script>
  var line = document.getElementById('status'), pay = document.getElementById('pay');
  var elements = Vinr(${JSON.stringify(livePublishable)}).elements({ clientSecret: ${JSON.stringify(session.client_secret)} });
  var card = elements.create('card');
  card.on('ready', function () { pay.disabled = false; line.textContent = 'Ready.'; });
  card.mount('#card');
  pay.addEventListener('click', function () {
    pay.disabled = true;
    line.textContent = 'Paying';
    elements.confirm({ redirect: 'if_required' }).then(function (result) {
      pay.disabled = false;
      line.textContent = result.error ? 'Not paid: ' + result.error.message : 'Paid: ' + result.payment.status;
    });
  });
</script></body></html>`;
  // Served from loopback like the demo shop (a page from elsewhere may not load scripts from
  // a loopback address).
  const shop = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(shopPage));
  await new Promise<void>((r) => shop.listen(Number(new URL(LIVE_SHOP).port), '127.0.0.1', r));
  try {
    await page.goto(`${LIVE_SHOP}/`);
    await expect(page.getByTestId('shop-status')).toHaveText('Ready.');
    const card = page.frameLocator('iframe[title="Secure card payment input"]');
    const payWith = async (number: string) => {
      await card.locator('#number').fill(number);
      await card.locator('#expiry').fill('12 / 34');
      await card.locator('#cvc').fill('123');
      await page.getByTestId('shop-pay').click();
      await expect(page.getByTestId('shop-status')).not.toHaveText('Paying');
    };

    // A test card is refused in live mode, in the frame; the processor's decline too.
    await payWith('4242 4242 4242 4242');
    await expect(page.getByTestId('shop-status')).toHaveText('Not paid: This is a test card: live payments need a real card.');
    await payWith('4000 0000 0000 0341');
    await expect(page.getByTestId('shop-status')).toContainText('declined');
    expect(await statusOf(request, paymentId)).toBe('requires_payment_method');

    await payWith('4111 1111 1111 1111');
    await expect(page.getByTestId('shop-status')).toHaveText('Paid: succeeded');
    await shot(page, 'live-elements');
    expect(await statusOf(request, paymentId)).toBe('succeeded');
    // The processor holds one succeeded intent for it, made from the token of the card.
    const intents = await (await request.get(`${stripeUrl()}/v1/payment_intents?limit=100`, { headers: { Authorization: 'Bearer sk_live_e2e' } })).json();
    const ours = intents.data.filter((pi: any) => pi.metadata.vinr_payment === paymentId && pi.status === 'succeeded');
    expect(ours).toHaveLength(1);
  } finally {
    await new Promise((r) => shop.close(r));
  }
});
