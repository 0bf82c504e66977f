import { test, expect } from '@playwright/test';
import { demo } from './demo';

// The receipt as a customer opens it from the link the merchant sends: no key, readable on a
// phone, printable (the print stylesheet hides what only makes sense on screen).

test('a paid and partly refunded payment has a printable receipt that fits a phone', async ({ browser, request }) => {
  const { secretKey } = demo();
  const headers = { 'X-Api-Key': secretKey };
  const paid = await request.post('/v1/payments', {
    headers,
    form: { amount: '4999', currency: 'EUR', description: 'Order 1234 · Wool socks', payment_method: 'pm_card_visa' },
  });
  expect(paid.status()).toBe(200);
  const payment = await paid.json();
  const refunded = await request.post(`/v1/payments/${payment.id}/refunds`, { headers, form: { amount: '999' } });
  expect(refunded.status()).toBe(200);
  const receipt = await (await request.get(`/v1/payments/${payment.id}/receipt`, { headers })).json();

  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 360, height: 780 }],
  ] as const) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(receipt.url);
    await expect(page.getByRole('heading', { name: 'Receipt' })).toBeVisible();
    await expect(page.getByTestId('receipt-amount')).toHaveText('€49.99');
    await expect(page.getByTestId('receipt-card')).toHaveText('Visa •••• 4242');
    await expect(page.getByTestId('receipt-refunds')).toContainText('−€9.99');
    await expect(page.getByText('Order 1234 · Wool socks')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: test.info().outputPath(`receipt-${name}.png`), fullPage: true });
    if (name === 'desktop') {
      await page.emulateMedia({ media: 'print' });
      await expect(page.getByText('Print this page')).toBeHidden();
      await page.emulateMedia({ media: 'screen' });
    }
    await context.close();
  }
});
