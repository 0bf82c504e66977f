import { test, expect, type Page } from '@playwright/test';
import { demo } from './demo';

// Collects what the browser reports as errors (CSP violations included).
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

test('the printed demo credentials sign in and the dashboard names the merchant', async ({ page, request }) => {
  const { email, password, secretKey } = demo();
  const errors = watchErrors(page);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('account-name')).toHaveText('Demo Shop');
  await expect(page.getByText('Test mode')).toBeVisible();

  // The same merchant answers the API with the printed secret key.
  const account = await request.get('/v1/account', { headers: { 'X-Api-Key': secretKey } });
  expect(account.status()).toBe(200);
  expect((await account.json()).business_name).toBe('Demo Shop');

  await page.screenshot({ path: test.info().outputPath('dashboard-desktop.png'), fullPage: true });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: test.info().outputPath('dashboard-phone.png'), fullPage: true });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login$/);
  expect(errors).toEqual([]);
});

test('a wrong password shows an error and stays signed out', async ({ page }) => {
  const { email } = demo();
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login\?error=invalid$/);
  await expect(page.getByRole('alert')).toHaveText('Incorrect e-mail or password.');
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login$/);
});

test('the password island hydrates under the strict CSP', async ({ page }) => {
  const errors = watchErrors(page);
  const started = Date.now();
  await page.goto('/login');
  const toggle = page.getByTestId('toggle-password');
  // Hidden until the wasm island has hydrated: visible means the bundle loaded and ran.
  await expect(toggle).toBeVisible();
  console.log(`login page interactive after ${Date.now() - started} ms`);
  const input = page.getByLabel('Password', { exact: true });
  await input.fill('secret words');
  await expect(input).toHaveAttribute('type', 'password');
  await toggle.click();
  await expect(input).toHaveAttribute('type', 'text');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: test.info().outputPath('login-desktop.png') });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: test.info().outputPath('login-phone.png') });
  expect(errors).toEqual([]);
});

test('the sign-in form works by keyboard alone', async ({ page }) => {
  const { email, password } = demo();
  await page.goto('/login');
  await page.keyboard.type(email); // the e-mail field has focus on arrival
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/dashboard$/);
});
