import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, or a loud skip. CI sets REQUIRE_BROWSER=1, which turns the skip into a
 * failure so browser tests can never silently stop running there.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasBrowser = existsSync(CHROMIUM);

if (!hasBrowser) {
  const message = `BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  if (process.env.REQUIRE_BROWSER === '1')
    throw new Error(`${message}; REQUIRE_BROWSER=1 makes this a failure`);
  console.warn(`\n${'!'.repeat(80)}\n${message}\n${'!'.repeat(80)}\n`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
