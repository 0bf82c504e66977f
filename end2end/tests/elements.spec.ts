import { test, expect, Page, FrameLocator } from '@playwright/test';
import { demo } from './demo';
import { shopUrl } from '../global-setup';

// The demo shop is served on a second origin (127.0.0.1:3101); VINR on 127.0.0.1:3100. The
// shop's server makes a payment session with the secret key; its page mounts the card
// element from /v1/elements.js with the publishable key, exactly as the integration guide
// shows. `localhost:3101` is the same shop on an origin that is NOT allowed to frame it.

const CARD_FRAME = 'iframe[title="Secure card payment input"]';

/** Opens the shop and waits for the card element; returns the frame and the payment id. */
async function openShop(page: Page, origin = shopUrl()): Promise<{ card: FrameLocator; paymentId: string }> {
  const session = page.waitForResponse((r) => r.url().endsWith('/session'));
  await page.goto(`${origin}/`);
  const paymentId = (await (await session).json()).payment as string;
  expect(paymentId).toMatch(/^pay_/);
  return { card: page.frameLocator(CARD_FRAME), paymentId };
}

async function typeCard(card: FrameLocator, number: string) {
  await card.locator('#number').fill(number);
  await card.locator('#expiry').fill('12 / 34');
  await card.locator('#cvc').fill('123');
}

async function statusOf(request: any, paymentId: string): Promise<string> {
  const res = await request.get(`/v1/payments/${paymentId}`, { headers: { 'X-Api-Key': demo().secretKey } });
  expect(res.status()).toBe(200);
  return (await res.json()).status;
}

test('elements: 4242 typed in the frame on the shop origin pays', async ({ page, request }) => {
  const { card, paymentId } = await openShop(page);
  await expect(page.getByTestId('shop-status')).toHaveText('Enter your card to pay.');
  // The shop's appearance reached the fields (its 6px radius).
  await expect(card.locator('#number')).toHaveCSS('border-radius', '6px');
  await typeCard(card, '4242 4242 4242 4242');
  await expect(card.getByTestId('card-brand')).toHaveText('Visa');
  await page.screenshot({ path: test.info().outputPath('elements-shop.png'), fullPage: true });
  await page.getByTestId('shop-pay').click();
  await expect(page.getByTestId('shop-status')).toHaveText(`Thank you! Order paid (${paymentId}).`);
  expect(await statusOf(request, paymentId)).toBe('succeeded');
});

test('elements: 0002 is declined with an error event and a message in the frame', async ({ page, request }) => {
  const { card, paymentId } = await openShop(page);
  await expect(page.getByTestId('shop-pay')).toBeEnabled();
  await typeCard(card, '4000 0000 0000 0002');
  await page.getByTestId('shop-pay').click();
  // The shop heard the error event; the customer reads the message inside the frame.
  await expect(page.getByTestId('shop-error')).toContainText('Your card was declined');
  await expect(card.getByTestId('payment-error')).toContainText('Your card was declined');
  await expect(page.getByTestId('shop-status')).toHaveText('Not paid.');
  await page.screenshot({ path: test.info().outputPath('elements-declined.png'), fullPage: true });
  expect(await statusOf(request, paymentId)).toBe('requires_payment_method');

  // Another card works in the same frame.
  await typeCard(card, '5555 5555 5555 4444');
  await page.getByTestId('shop-pay').click();
  await expect(page.getByTestId('shop-status')).toContainText('Order paid');
  expect(await statusOf(request, paymentId)).toBe('succeeded');
});

test('elements: 3220 shows the 3D Secure challenge inside the frame, then pays', async ({ page, request }) => {
  const { card, paymentId } = await openShop(page);
  await expect(page.getByTestId('shop-pay')).toBeEnabled();
  await typeCard(card, '4000 0000 0000 3220');
  await page.getByTestId('shop-pay').click();
  const challenge = card.getByTestId('challenge');
  await expect(challenge).toBeVisible();
  // The frame grew to hold the challenge (the loader applies the height it reports).
  const height = await page.locator(CARD_FRAME).evaluate((f) => f.getBoundingClientRect().height);
  expect(height).toBeGreaterThan(400);
  expect(await statusOf(request, paymentId)).toBe('requires_action');
  await page.screenshot({ path: test.info().outputPath('elements-challenge.png'), fullPage: true });
  await card.frameLocator('iframe[title^="3D Secure"]').getByRole('button', { name: 'Complete authentication' }).click();
  await expect(page.getByTestId('shop-status')).toHaveText(`Thank you! Order paid (${paymentId}).`);
  await expect(challenge).toBeHidden();
  expect(await statusOf(request, paymentId)).toBe('succeeded');
});

test('elements: an origin not on the allow-list is refused by the browser', async ({ page, request }) => {
  const refused: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('frame-ancestors')) refused.push(m.text());
  });
  const other = shopUrl().replace('127.0.0.1', 'localhost');
  const { paymentId } = await openShop(page, other);
  // The browser blocks the frame (CSP frame-ancestors lists only the allowed shop origin):
  // no card fields, and the loader tells the page why after its timeout.
  await expect.poll(() => refused.length, { timeout: 10_000 }).toBeGreaterThan(0);
  expect(refused[0]).toContain(shopUrl());
  const frame = page.frames().find((f) => f.url().includes('/elements/card'));
  expect(frame ? await frame.locator('#number').count() : 0).toBe(0);
  await expect(page.getByTestId('shop-error')).toContainText('did not load', { timeout: 15_000 });
  await expect(page.getByTestId('shop-pay')).toBeDisabled();
  expect(await statusOf(request, paymentId)).toBe('requires_payment_method');
});

test('elements: forged postMessages from another origin are ignored', async ({ page, request }) => {
  const { card, paymentId } = await openShop(page);
  await expect(page.getByTestId('shop-pay')).toBeEnabled();
  await typeCard(card, '4242 4242 4242 4242');
  const frameHeight = () => page.locator(CARD_FRAME).evaluate((f) => f.getBoundingClientRect().height);
  const before = await frameHeight();

  // A window on another origin holds references to the shop and its card frame (as any
  // page the shop opened could) and posts well-formed messages to both.
  const popupOpened = page.waitForEvent('popup');
  await page.evaluate((url) => window.open(url), `${shopUrl().replace('127.0.0.1', 'localhost')}/shop.css`);
  const popup = await popupOpened;
  await popup.waitForLoadState();
  await popup.evaluate(() => {
    const shop = window.opener as Window;
    const frame = shop.frames[0];
    const post = (target: Window, message: object) => target.postMessage(JSON.stringify({ vinr: 'elements', ...message }), '*');
    post(frame, { type: 'confirm', id: 1 });
    post(frame, { type: 'init', clientSecret: 'pay_forged_secret_x', appearance: { variables: { colorPrimary: '#ff0000' } } });
    post(shop, { type: 'result', id: 1, payment: { id: 'pay_forged', status: 'succeeded' } });
    post(shop, { type: 'resize', height: 5 });
    post(shop, { type: 'error', error: { message: 'forged error' } });
  });
  await popup.close();
  await page.waitForTimeout(1500);
  // Nothing happened: no charge, no fake success, no resize, no fake error.
  expect(await statusOf(request, paymentId)).toBe('requires_payment_method');
  await expect(page.getByTestId('shop-status')).toHaveText('Enter your card to pay.');
  await expect(page.getByTestId('shop-error')).toHaveText('');
  expect(await frameHeight()).toBe(before);

  // The real page still pays.
  await page.getByTestId('shop-pay').click();
  await expect(page.getByTestId('shop-status')).toHaveText(`Thank you! Order paid (${paymentId}).`);
  expect(await statusOf(request, paymentId)).toBe('succeeded');
});
