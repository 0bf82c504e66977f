// Starts the same `vinr` binary as `make run` on a fresh SQLite database, the way `make run` does,
// and reads the demo credentials from the banner it prints. Returns the teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STATE_FILE = join(__dirname, '.state', 'demo.json');

/** Where localstripe (the Stripe fake live mode is tested against) is served. */
export function stripeUrl(): string {
  return process.env.VINR_E2E_STRIPE_URL ?? 'http://127.0.0.1:3102';
}

/** Where the demo shop is served (a second origin). */
export function shopUrl(): string {
  return process.env.VINR_E2E_SHOP_URL ?? 'http://127.0.0.1:3101';
}

export default async function globalSetup() {
  const bin = process.env.VINR_BIN;
  if (!bin) throw new Error('VINR_BIN must name the vinr binary (make test sets it)');
  const url = new URL(process.env.VINR_E2E_URL ?? 'http://127.0.0.1:3100');
  const dataDir = mkdtempSync(join(tmpdir(), 'vinr-e2e-'));
  const server = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      VINR_ADDR: url.host,
      VINR_PUBLIC_URL: url.origin,
      VINR_DATA_DIR: dataDir,
      VINR_DATABASE_URL: '',
      VINR_SECRET: '',
      // The demo shop on a second origin, whose page embeds the card element.
      VINR_DEMO_SHOP_ADDR: new URL(shopUrl()).host,
      // The live-mode tests' processor is localstripe on this machine.
      VINR_PROCESSOR_HOSTS: `api.stripe.com,${new URL(stripeUrl()).host}`,
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stderr.on('data', (chunk) => process.stderr.write(chunk));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    server.stdout.on('data', (chunk) => {
      output += chunk.toString();
      if (/Publishable key:.*\n/.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  const field = (label: string) => {
    const m = banner.match(new RegExp(`${label}:\\s+(\\S+)`));
    if (!m) throw new Error(`no ${label} in the banner:\n${banner}`);
    return m[1];
  };
  const demo = {
    email: field('Login'),
    password: field('Password'),
    secretKey: field('Secret key'),
    publishableKey: field('Publishable key'),
  };
  mkdirSync(join(__dirname, '.state'), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(demo));
  let stripe: ChildProcess;
  try {
    stripe = await startLocalStripe();
  } catch (e) {
    // No teardown runs when the setup fails: stop the server here, or it keeps the port.
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  return async () => {
    // Waited for, so the next run finds the ports free.
    const stripeExited = new Promise((r) => stripe.once('exit', r));
    stripe.kill('SIGTERM');
    await stripeExited;
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  };
}

/** localstripe through tests/localstripe/serve.py, from the venv `make localstripe` makes. */
async function startLocalStripe() {
  const python = process.env.VINR_LOCALSTRIPE_PYTHON;
  if (!python) throw new Error('VINR_LOCALSTRIPE_PYTHON must name the python of the localstripe venv (make e2e sets it)');
  const url = new URL(stripeUrl());
  const script = join(__dirname, '..', 'tests', 'localstripe', 'serve.py');
  // A fake left running by an earlier run would answer in place of ours, with its old state.
  const taken = await fetch(`${url.origin}/v1/balance`).then(() => true, () => false);
  if (taken) throw new Error(`something already answers at ${url.origin} (a localstripe left from an earlier run?)`);
  const child = spawn(python, [script, '--port', url.port], { stdio: ['ignore', 'ignore', 'inherit'] });
  // Python's imports take a few seconds on a loaded machine: up to 30 s.
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`localstripe exited with ${child.exitCode} before it answered at ${url.origin}`);
    try {
      const res = await fetch(`${url.origin}/v1/balance`, { headers: { Authorization: 'Bearer sk_test_probe' } });
      if (res.ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`localstripe did not start at ${url.origin}`);
}
