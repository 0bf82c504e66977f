import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The demo merchant's credentials, as the server printed them at start. */
export interface Demo {
  email: string;
  password: string;
  secretKey: string;
  publishableKey: string;
}

export function demo(): Demo {
  return JSON.parse(readFileSync(join(__dirname, '..', '.state', 'demo.json'), 'utf8'));
}
