import { test, expect } from '@playwright/test';
import { demo } from './demo';

// The issuer challenge ends in a form post whose response redirects to the merchant's
// return_url on another origin: only a real browser enforces CSP form-action on that redirect.
test('3D Secure: complete the challenge and land on the return URL', async ({ page, request, baseURL }) => {
  const { secretKey } = demo();
  const returnUrl = `${baseURL!.replace('127.0.0.1', 'localhost')}/healthz`;
  const created = await request.post('/v1/payments', {
    headers: { 'X-Api-Key': secretKey },
    form: { amount: '5000', currency: 'EUR', payment_method: 'pm_card_threeDSecure2Required', return_url: returnUrl },
  });
  expect(created.status()).toBe(200);
  const payment = await created.json();
  expect(payment.status).toBe('requires_action');

  await page.goto(payment.next_action.redirect_to_url.url);
  await expect(page.getByRole('heading', { name: 'Confirm this purchase' })).toBeVisible();
  await expect(page.getByText('50.00 EUR')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('3ds-challenge.png') });
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await expect(page).toHaveURL(new RegExp(`/healthz\\?payment_id=${payment.id}&status=succeeded$`));

  const after = await request.get(`/v1/payments/${payment.id}`, { headers: { 'X-Api-Key': secretKey } });
  expect((await after.json()).status).toBe('succeeded');
});

test('3D Secure: failing the challenge leaves the payment unpaid', async ({ page, request }) => {
  const { secretKey } = demo();
  const created = await request.post('/v1/payments', {
    headers: { 'X-Api-Key': secretKey },
    form: { amount: '700', payment_method: 'pm_card_threeDSecure2Required' },
  });
  const payment = await created.json();
  await page.goto(payment.next_action.redirect_to_url.url);
  await page.getByRole('button', { name: 'Fail authentication' }).click();
  await expect(page.getByTestId('challenge-status')).toContainText('failed');
  const after = await request.get(`/v1/payments/${payment.id}`, { headers: { 'X-Api-Key': secretKey } });
  expect((await after.json()).status).toBe('failed');
});
