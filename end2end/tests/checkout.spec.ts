import { test, expect, type Page, type APIRequestContext } from '@playwright/test';
import { demo } from './demo';

// The hosted checkout as a customer uses it. The merchant's return_url is on another origin
// (localhost instead of 127.0.0.1), so the browser enforces the page's CSP on the way back.

test.describe.configure({ mode: 'serial' });

function returnUrl(baseURL: string): string {
  return `${baseURL.replace('127.0.0.1', 'localhost')}/healthz`;
}

async function createPayment(
  request: APIRequestContext,
  baseURL: string,
  extra: Record<string, string> = {},
): Promise<{ id: string; checkout_url: string }> {
  const { secretKey } = demo();
  const created = await request.post('/v1/payments', {
    headers: { 'X-Api-Key': secretKey },
    form: {
      amount: '4999',
      currency: 'EUR',
      description: 'Order 1234 · Wool socks',
      return_url: returnUrl(baseURL),
      ...extra,
    },
  });
  expect(created.status()).toBe(200);
  return created.json();
}

async function statusOf(request: APIRequestContext, id: string): Promise<string> {
  const { secretKey } = demo();
  const res = await request.get(`/v1/payments/${id}`, { headers: { 'X-Api-Key': secretKey } });
  return (await res.json()).status;
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** Opens the checkout and waits until the card form is hydrated; logs how long that took. */
async function openCheckout(page: Page, url: string): Promise<number> {
  const started = Date.now();
  await page.goto(url);
  await expect(page.getByTestId('card-form')).toHaveAttribute('data-hydrated', 'true');
  const ms = Date.now() - started;
  console.log(`checkout: navigation to an interactive card form took ${ms} ms`);
  test.info().annotations.push({ type: 'time-to-interactive-ms', description: String(ms) });
  return ms;
}

async function fillCard(page: Page, number: string) {
  await page.getByLabel('Name on card').fill('Ada Lovelace');
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry (MM / YY)').fill('1234');
  await page.getByLabel('Security code').fill('123');
}

// Created first so it is past its expires_at (60 s, the minimum) by the last test.
let expiring: { id: string; checkout_url: string; createdAt: number };

test.beforeAll(async ({ request, baseURL }) => {
  const p = await createPayment(request, baseURL!, { expires_in: '60', description: 'Soon expired' });
  expiring = { ...p, createdAt: Date.now() };
});

test('4242 by keyboard alone: back at the return URL, and the API says succeeded', async ({ page, request, baseURL }) => {
  const errors = watchErrors(page);
  const payment = await createPayment(request, baseURL!);
  await openCheckout(page, payment.checkout_url);
  await expect(page.getByRole('heading', { name: 'Demo Shop' })).toBeVisible();
  await expect(page.getByTestId('amount')).toHaveText('€49.99');
  await expect(page.getByText('Order 1234 · Wool socks')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Pay €49.99' })).toBeVisible();

  await page.getByLabel('Name on card').focus();
  await page.keyboard.type('Ada Lovelace');
  await page.keyboard.press('Tab');
  await page.keyboard.type('4242424242424242');
  await expect(page.getByLabel('Card number')).toHaveValue('4242 4242 4242 4242');
  await expect(page.getByTestId('card-brand')).toHaveText('Visa');
  await page.keyboard.press('Tab');
  await page.keyboard.type('1234');
  await expect(page.getByLabel('Expiry (MM / YY)')).toHaveValue('12 / 34');
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  await page.keyboard.press('Enter');

  await expect(page).toHaveURL(new RegExp(`/healthz\\?payment_id=${payment.id}&status=succeeded$`));
  expect(await statusOf(request, payment.id)).toBe('succeeded');
  expect(errors).toEqual([]);
});

test('field checks happen as the customer types, and are announced', async ({ page, request, baseURL }) => {
  const payment = await createPayment(request, baseURL!);
  await openCheckout(page, payment.checkout_url);
  await page.getByLabel('Card number').fill('4242 4242 4242 4241');
  await page.getByLabel('Expiry (MM / YY)').fill('0120');
  await page.getByLabel('Security code').fill('1');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('name-error')).toHaveText('Enter the name as it is printed on the card.');
  await expect(page.getByTestId('number-error')).toHaveText('Your card number is incorrect.');
  await expect(page.getByTestId('number-error')).toHaveAttribute('aria-live', 'polite');
  await expect(page.getByTestId('expiry-error')).toHaveText("Your card's expiration date is in the past.");
  await expect(page.getByTestId('cvc-error')).toContainText('3 digits');
  await expect(page.getByLabel('Name on card')).toBeFocused();
  // American Express: spaced 4-6-5, with a 4-digit security code.
  await page.getByLabel('Card number').fill('378282246310005');
  await expect(page.getByLabel('Card number')).toHaveValue('3782 822463 10005');
  await expect(page.getByTestId('card-brand')).toHaveText('American Express');
  expect(await statusOf(request, payment.id)).toBe('requires_payment_method');
});

test('0002 is declined with a message, then 4242 succeeds on the same page', async ({ page, request, baseURL }) => {
  const payment = await createPayment(request, baseURL!);
  await openCheckout(page, payment.checkout_url);
  await fillCard(page, '4000 0000 0000 0002');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('payment-error')).toHaveText(/Your card was declined\. You were not charged/);
  await expect(page).toHaveURL(payment.checkout_url);
  expect(await statusOf(request, payment.id)).toBe('requires_payment_method');

  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByLabel('Security code').fill('123');
  await page.getByTestId('pay').click();
  await expect(page).toHaveURL(new RegExp(`payment_id=${payment.id}&status=succeeded$`));
  expect(await statusOf(request, payment.id)).toBe('succeeded');
});

test('3220: the challenge completes and the payment succeeds', async ({ page, request, baseURL }) => {
  const payment = await createPayment(request, baseURL!);
  await openCheckout(page, payment.checkout_url);
  await fillCard(page, '4000 0000 0000 3220');
  await page.getByTestId('pay').click();
  await expect(page.getByRole('heading', { name: 'Confirm this purchase' })).toBeVisible();
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await expect(page).toHaveURL(new RegExp(`payment_id=${payment.id}&status=succeeded$`));
  expect(await statusOf(request, payment.id)).toBe('succeeded');
});

test('3220: a failed challenge leaves it unpaid, with a message and the form', async ({ page, request, baseURL }) => {
  const payment = await createPayment(request, baseURL!);
  await openCheckout(page, payment.checkout_url);
  await fillCard(page, '4000 0000 0000 3220');
  await page.getByTestId('pay').click();
  await page.getByRole('button', { name: 'Fail authentication' }).click();
  await expect(page).toHaveURL(payment.checkout_url);
  await expect(page.getByTestId('decline-message')).toContainText("Your bank couldn't confirm it was you");
  await expect(page.getByTestId('card-form')).toBeVisible();
  expect(await statusOf(request, payment.id)).toBe('requires_payment_method');
});

test('cancel and return: the payment is canceled', async ({ page, request, baseURL }) => {
  const payment = await createPayment(request, baseURL!);
  await openCheckout(page, payment.checkout_url);
  await page.getByRole('button', { name: 'Cancel and return to Demo Shop' }).click();
  await expect(page).toHaveURL(new RegExp(`payment_id=${payment.id}&status=canceled$`));
  expect(await statusOf(request, payment.id)).toBe('canceled');
  await page.goto(payment.checkout_url);
  await expect(page.getByTestId('checkout-status')).toHaveAttribute('data-status', 'canceled');
  await expect(page.getByTestId('card-form')).toHaveCount(0);
});

test('without JavaScript, the same form pays with 4242', async ({ browser, request, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const payment = await createPayment(request, baseURL!);
  await page.goto(payment.checkout_url);
  await fillCard(page, '4000 0000 0000 0002');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('decline-message')).toContainText('Your card was declined');
  await fillCard(page, '4242 4242 4242 4242');
  await page.getByTestId('pay').click();
  await expect(page).toHaveURL(new RegExp(`payment_id=${payment.id}&status=succeeded$`));
  expect(await statusOf(request, payment.id)).toBe('succeeded');
  await context.close();
});

test('screenshots at desktop and phone width; nothing overflows a 360 px screen', async ({ browser, request, baseURL }) => {
  const payment = await createPayment(request, baseURL!);
  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 360, height: 780 }],
  ] as const) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await openCheckout(page, payment.checkout_url);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: test.info().outputPath(`checkout-${name}.png`), fullPage: true });
    await context.close();
  }
});

test('an expired payment shows an expired page', async ({ page, request }) => {
  test.setTimeout(90_000);
  const wait = expiring.createdAt + 61_000 - Date.now();
  if (wait > 0) await page.waitForTimeout(wait);
  await page.goto(expiring.checkout_url);
  await expect(page.getByRole('heading', { name: 'This payment link has expired' })).toBeVisible();
  await expect(page.getByTestId('card-form')).toHaveCount(0);
  expect(await statusOf(request, expiring.id)).toBe('expired');
});
