import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfToken } from '../../runtime/local-api/auth.js';
import { createLocalPipeline, type LocalPipeline } from '../support/local-pipeline.js';
import { untilPending } from '../support/pending-approval.js';
import { hasBrowser, launchChromium } from './support/browser.js';
import type { ConsoleServer } from './support/console-server.js';
import { seedProduction } from './support/console-server.js';
import { startReleaseConsole } from './support/release-console.js';

const SHOTS = new URL('../../test-results/', import.meta.url).pathname;
const REFUNDS_SQL = `-- refunds are recorded per order
CREATE TABLE refunds (
  id serial PRIMARY KEY,
  order_id integer NOT NULL,
  amount_cents integer NOT NULL CHECK (amount_cents > 0),
  reason text DEFAULT 'customer request'
);
`;
/** A feature's test committed before the feature works: the release's own suite fails in test. */
const FAILING_SUITE = `import assert from 'node:assert/strict';
import { test } from 'node:test';
test('lists discounts', async () => {
  const response = await fetch(process.env.TOLLGATE_URL + '/discounts');
  assert.equal(response.status, 200, 'GET /discounts answered ' + response.status);
});
`;
/** Storage polls of a refresh are minutes apart on the fake clock; the gate's timeout is a day away. */
const HORIZON = 3_600_000;

let pipeline: LocalPipeline;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
const releases: string[] = [];
let failedRun = '';

async function shot(name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}console-${name}.png`, fullPage: true });
}

async function approve(id: string): Promise<void> {
  const res = await fetch(`${server.origin}/api/approvals/${encodeURIComponent(id)}/decision`, {
    method: 'POST',
    headers: {
      origin: server.origin,
      'x-csrf-token': csrfToken(server.secret),
      'content-type': 'application/json',
    },
    body: JSON.stringify({ decision: 'approve', comment: 'ok' }),
  });
  if (res.status !== 200) throw new Error(`approve answered ${res.status}: ${await res.text()}`);
}

/** A commit through test to prod's gate, approved there: the release it made. */
async function shipToProd(message: string, files: Record<string, string>): Promise<string> {
  const run = await pipeline.start(pipeline.repo.commit(message, files));
  const [gate] = await untilPending(pipeline, { executionArn: run, horizonMs: HORIZON });
  await approve(gate.id);
  const result = await pipeline.finish(run);
  if (result.status !== 'SUCCEEDED')
    throw new Error(`${message}: ${result.status} ${result.error} ${result.cause}`);
  return result.output.release as string;
}

const runNames = async (): Promise<string[]> => {
  const res = await fetch(`${server.origin}/api/runs?limit=50`);
  const body = (await res.json()) as { runs: Array<{ name: string }> };
  return body.runs.map((r) => r.name);
};

const overflow = () =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

describe.skipIf(!hasBrowser)('release diffs and release actions in Chromium', () => {
  beforeAll(async () => {
    // Staging would add a refresh, a deploy and a perf test to each of the four runs and nothing
    // these pages show that test and prod do not (the console's own tests keep three lanes).
    pipeline = await createLocalPipeline({ database: true, approval: true, environments: ['test', 'prod'] });
    await seedProduction(pipeline);
    server = await startReleaseConsole(pipeline, 'ana');
    // r1 plain, r2 adds a migration, r3 none: prod runs r3 and ran r2 before, which has every
    // migration prod's database holds, so rolling back to it is allowed.
    releases.push(await shipToProd('OPS-1 weekly report', { 'NOTES.md': 'a\n' }));
    releases.push(await shipToProd('OPS-2 refunds table', { 'migrations/0003_refunds.sql': REFUNDS_SQL }));
    releases.push(await shipToProd('OPS-3 faster report', { 'NOTES.md': 'b\n' }));
    const failing = await pipeline.start(
      pipeline.repo.commit('discounts (test first)', { 'tests/discounts.test.mjs': FAILING_SUITE }),
    );
    const result = await pipeline.finish(failing);
    expect(result.error).toBe('Tollgate.TestsFailed');
    failedRun = failing.split(':').at(-1)!;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await pipeline?.close();
  });

  it('compares a release with prod from the board by keyboard: commits, highlighted migration SQL, config, digests', async () => {
    // Arrange
    const [r1, r2, r3] = releases as [string, string, string];
    await page.goto(`${server.origin}/console#/board`);
    await page.locator('.board-lanes[data-loaded]').waitFor();
    const prod = page.locator('section.board-lane[data-env="prod"]');
    // Act: from prod's lane, what changed since the release it ran before
    await prod.getByRole('link', { name: `Changes since ${r2}` }).focus();
    await page.keyboard.press('Enter');
    await page.locator('.diff-result[data-loaded="true"]').waitFor();
    // Assert
    expect(await page.evaluate<string>('location.hash')).toBe(`#/diff/${r2}/prod`);
    await expect(page.locator('h2.diff-title').textContent()).resolves.toBe(`${r2} → prod (${r3})`);
    await expect(page.locator('ul.diff-commits li').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^\+ [0-9a-f]{7} OPS-3 faster report — Dev/),
    ]);
    await expect(
      page.locator('section[aria-labelledby="diff-migrations-h"]').textContent(),
    ).resolves.toContain('No migration differs.');
    // Act: type two sides into the form, by keyboard
    await page.getByLabel('From').fill('');
    await page.getByLabel('From').pressSequentially(r1);
    await page.keyboard.press('Tab');
    await page.keyboard.type('prod');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate<string>('location.hash')).toBe(`#/diff/${r1}/prod`);
    await page.locator('.diff-result[data-loaded="true"]').waitFor();
    // Assert: two commits, the migration as highlighted SQL, the same config, two digests
    await expect(page.locator('ul.diff-commits li').count()).resolves.toBe(2);
    const migration = page.locator('.diff-migration[data-migration="0003_refunds"]');
    await expect(migration.locator('pre.sql').textContent()).resolves.toBe(REFUNDS_SQL);
    await expect(migration.locator('.tok-kwd').first().textContent()).resolves.toBe('CREATE');
    await expect(migration.locator('.tok-cmnt').first().textContent()).resolves.toMatch(
      /^-- refunds are recorded/,
    );
    await expect(migration.locator('.tok-str').first().textContent()).resolves.toBe("'customer request'");
    await expect(page.locator('section[aria-labelledby="diff-config-h"]').textContent()).resolves.toContain(
      'They ran with the same config.',
    );
    await expect(page.locator('.diff-artifacts code.digest').count()).resolves.toBe(2);
    await shot('diff');
    // Act: a name that is neither
    await page.goto(`${server.origin}/console#/diff/qa/prod`);
    await page.locator('.diff-result[data-loaded="error"]').waitFor();
    // Assert
    await expect(page.locator('.diff-result p.error').textContent()).resolves.toBe(
      '"qa" is neither an environment (test, prod) nor a release version like r42-1a2b3c4',
    );
  }, 60_000);

  it('deploys a release from its page after a confirmation naming what the environment runs, and the run appears', async () => {
    // Arrange
    const [, r2, r3] = releases as [string, string, string];
    await page.goto(`${server.origin}/console#/releases/${r2}`);
    const deploy = page.getByRole('button', { name: 'Deploy to test…' });
    await deploy.waitFor();
    const before = await runNames();
    // Act: open the confirmation by keyboard, then Escape
    await deploy.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Deploy ${r2} to test?` });
    await dialog.waitFor();
    // Assert
    await expect(dialog.textContent()).resolves.toContain(`test runs ${r3} now.`);
    await expect(page.evaluate<string>('document.activeElement.textContent')).resolves.toBe('Cancel');
    await shot('release-deploy-confirm');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await runNames()).toEqual(before);
    // Act: again, and confirm (Shift+Tab from Cancel to the confirming button)
    await deploy.focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    // Assert: the run is named, and its page opens from the link
    const note = page.locator('section.deploy-actions p[role="status"]');
    await expect.poll(() => note.textContent()).toMatch(new RegExp(`^Deploying ${r2} to test: run `));
    const started = (await note.locator('a').textContent())!;
    expect((await runNames()).filter((n) => !before.includes(n))).toEqual([started]);
    await note.locator('a').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate<string>('location.hash')).toBe(`#/runs/${started}`);
    await expect.poll(() => page.locator('main h1').textContent()).toContain(started.slice(0, 8));
  }, 60_000);

  it('rolls prod back to the release it ran before from the board, after a confirmation naming both', async () => {
    // Arrange
    const [, r2, r3] = releases as [string, string, string];
    await page.goto(`${server.origin}/console#/board`);
    await page.locator('.board-lanes[data-loaded]').waitFor();
    const prod = page.locator('section.board-lane[data-env="prod"]');
    const before = await runNames();
    // Act
    await prod.getByRole('button', { name: `Roll back to ${r2}…` }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Roll prod back to ${r2}?` });
    await dialog.waitFor();
    // Assert
    await expect(dialog.textContent()).resolves.toContain(`prod runs ${r3} now.`);
    await shot('board-rollback-confirm');
    // Act: confirm
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    // Assert: a redeploy of r2 into prod started, attributed and explained
    const note = page.locator('p.board-note');
    await expect
      .poll(() => note.textContent())
      .toMatch(new RegExp(`^Rolling prod back from ${r3} to ${r2}: run `));
    const started = (await note.locator('a').textContent())!;
    expect((await runNames()).filter((n) => !before.includes(n))).toEqual([started]);
    const { input } = await pipeline.call<{ input: string }>('DescribeExecution', {
      executionArn: `${pipeline.stateMachineArn.replace(':stateMachine:', ':execution:')}:${started}`,
    });
    expect(JSON.parse(input).detail.redeploy).toEqual({
      release: r2,
      environment: 'prod',
      skipEarlier: false,
      reason: `roll back from ${r3} (console)`,
      requestedBy: 'ana',
    });
  }, 60_000);

  it('shows a failed test stage first on its run page, with the failing test named', async () => {
    // Act
    await page.goto(`${server.origin}/console#/runs/${failedRun}`);
    const failure = page.locator('main .failure[role="alert"]');
    await failure.waitFor();
    // Assert: the failure in words comes before the stages and the timeline, naming the test
    const headings = await page.evaluate<string[]>(
      `[...document.querySelectorAll('main h2')].filter((e) => !e.closest('dialog')).map((e) => e.textContent.trim())`,
    );
    expect(headings[0]).toBe('Why it failed');
    expect(headings.indexOf('Timeline')).toBeGreaterThan(headings.indexOf('Stages'));
    await expect(failure.textContent()).resolves.toContain('first failing test: lists discounts');
    // The tests stage's report: the failing test first under its stage, with its message
    const report = page.locator('table.ev', {
      has: page.locator('caption', { hasText: 'Tests after deploy' }),
    });
    const rows = await report
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
      );
    expect(rows[0]?.[0]).toBe('integration');
    expect(rows[0]?.[1]).toMatch(/^failed: .*1 of 4 test\(s\) failed/);
    expect(rows[1]?.slice(0, 2)).toEqual([
      '✗ lists discounts',
      expect.stringContaining('GET /discounts answered 404'),
    ]);
    await shot('run-tests-failed');
  }, 60_000);

  it('fits the diff, release, board and run pages on a 1024 px screen without sideways scrolling', async () => {
    const [r1] = releases as [string];
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      for (const [name, hash, ready] of [
        ['diff', `#/diff/${r1}/prod`, '.diff-result[data-loaded="true"]'],
        ['release', `#/releases/${r1}`, 'section.deploy-actions'],
        ['board', '#/board', '.board-lanes[data-loaded]'],
        ['run-tests-failed', `#/runs/${failedRun}`, 'main .failure'],
      ] as const) {
        // Act
        await page.goto(`${server.origin}/console${hash}`);
        await page.locator(ready).first().waitFor();
        // Assert
        const sideways = await overflow();
        expect(sideways, `${name} scrolls sideways by ${sideways}px`).toBeLessThanOrEqual(0);
        await shot(`${name}-1024-release-actions`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  }, 60_000);
});
