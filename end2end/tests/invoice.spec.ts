import { test, expect, type APIRequestContext } from '@playwright/test';
import { demo } from './demo';

// The hosted invoice page as a customer uses it: a subscription's first invoice was declined
// on the saved card; the customer opens the invoice's page and pays with another card in the
// hydrated card form, then with a card that asks for 3D Secure.

async function api(request: APIRequestContext, path: string, form: Record<string, string>, key?: string) {
  const res = await request.post(path, { headers: { 'X-Api-Key': key ?? demo().secretKey }, form });
  expect(res.status(), await res.text()).toBe(200);
  return res.json();
}

/** A subscription whose first invoice was declined: its invoice's id and hosted URL. */
async function declinedInvoice(request: APIRequestContext, priceId: string) {
  const clock = await api(request, '/v1/test_clocks', { frozen_time: '1798761600' });
  const customer = await api(request, '/v1/customers', { email: 'grace@example.com', test_clock: clock.id });
  const pm = await api(
    request,
    '/v1/payment_methods',
    { type: 'card', 'card[number]': '4000000000000002', 'card[exp_month]': '12', 'card[exp_year]': '2034', 'card[cvc]': '123' },
    demo().publishableKey,
  );
  await api(request, `/v1/payment_methods/${pm.id}/attach`, { customer: customer.id });
  await api(request, `/v1/customers/${customer.id}`, { default_payment_method: pm.id });
  const sub = await api(request, '/v1/subscriptions', { customer: customer.id, price: priceId });
  expect(sub.status).toBe('incomplete');
  const res = await request.get(`/v1/invoices/${sub.latest_invoice}`, { headers: { 'X-Api-Key': demo().secretKey } });
  const invoice = await res.json();
  return { id: invoice.id as string, url: new URL(invoice.hosted_invoice_url).pathname, sub: sub.id as string };
}

let priceId: string;

test.beforeAll(async ({ request }) => {
  const product = await request.post('/v1/products', {
    headers: { 'X-Api-Key': demo().secretKey },
    form: { id: 'prod_e2e_plan', name: 'Team plan' },
  });
  expect([200, 400]).toContain(product.status());
  const price = await api(request, '/v1/prices', {
    product: 'prod_e2e_plan',
    unit_amount: '1900',
    currency: 'EUR',
    'recurring[interval]': 'month',
  });
  priceId = price.id;
});

async function fillCard(page: import('@playwright/test').Page, number: string) {
  await page.getByLabel('Name on card').fill('Grace Hopper');
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry (MM / YY)').fill('1234');
  await page.getByLabel('Security code').fill('123');
}

test('a declined first invoice is paid with another card on its hosted page', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const invoice = await declinedInvoice(request, priceId);
  await page.goto(invoice.url);
  await expect(page.getByTestId('card-form')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('amount')).toHaveText('€19.00');
  await expect(page.getByTestId('invoice-lines')).toContainText('Team plan');
  await expect(page.getByTestId('decline-message')).toContainText('declined');

  // Declined again: the form says so and stays.
  await fillCard(page, '4000000000009995');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('payment-error')).toContainText('insufficient funds');

  await fillCard(page, '4242424242424242');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('invoice-status')).toHaveAttribute('data-status', 'paid');
  await expect(page.getByRole('heading', { name: 'Invoice paid' })).toBeVisible();
  const sub = await (await request.get(`/v1/subscriptions/${invoice.sub}`, { headers: { 'X-Api-Key': demo().secretKey } })).json();
  expect(sub.status).toBe('active');
  expect(errors).toEqual([]);
});

test('a card that asks for 3D Secure is confirmed at the bank, then the invoice is paid', async ({ page, request }) => {
  const invoice = await declinedInvoice(request, priceId);
  await page.goto(invoice.url);
  await expect(page.getByTestId('card-form')).toHaveAttribute('data-hydrated', 'true');
  await fillCard(page, '4000000000003220');
  await page.getByTestId('pay').click();
  await expect(page).toHaveURL(/\/sandbox\/3ds\//);
  await page.getByRole('button', { name: /complete/i }).click();
  await expect(page).toHaveURL(new RegExp(`/invoices/${invoice.id}`));
  await expect(page.getByTestId('invoice-status')).toHaveAttribute('data-status', 'paid');
});

test('the invoice page fits a 360 px phone screen', async ({ browser, request }) => {
  const invoice = await declinedInvoice(request, priceId);
  const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
  const page = await context.newPage();
  await page.goto(invoice.url);
  await expect(page.getByTestId('card-form')).toHaveAttribute('data-hydrated', 'true');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: test.info().outputPath('invoice-phone.png'), fullPage: true });
  await context.close();
});
