import { test, expect, type Page, type APIRequestContext } from '@playwright/test';
import { stripeUrl } from '../global-setup';

// Live mode through a processor: a merchant adds a Stripe connection in Settings (pointed at
// localstripe, the Stripe fake), and customers pay on the hosted checkout, where the card goes
// to the processor to be tokenised, a decline comes from it and a 3-D Secure challenge happens
// on its page.

test.describe.configure({ mode: 'serial' });

let liveKey = '';

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
