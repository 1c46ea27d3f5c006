import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfToken } from '../../runtime/local-api/auth.js';
import { createLocalPipeline, type LocalPipeline } from '../support/local-pipeline.js';
import { untilPending } from '../support/pending-approval.js';
import { hasBrowser, launchChromium } from './support/browser.js';
import { type ConsoleServer, startConsoleServer } from './support/console-server.js';

const SHOTS = new URL('../../test-results/', import.meta.url).pathname;
/** The README's picture of the board, rewritten only when asked (TOLLGATE_README_IMAGES=1). */
const README_IMAGES = new URL('../../docs/images/', import.meta.url).pathname;

let pipeline: LocalPipeline;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
const runs: { shipped: string; broken: string; waiting: string } = { shipped: '', broken: '', waiting: '' };
let shippedRelease: string;

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
    body: JSON.stringify({ decision: 'approve', comment: 'looks good' }),
  });
  if (res.status !== 200) throw new Error(`approve answered ${res.status}: ${await res.text()}`);
}

const nameOf = (arn: string) => arn.split(':').at(-1)!;

describe.skipIf(!hasBrowser)('the delivery board, charts and search in Chromium', () => {
  beforeAll(async () => {
    pipeline = await createLocalPipeline({ approval: true });
    server = await startConsoleServer(pipeline, 'ana');
    // #1 reaches prod through the gate; #2 fails its health check in test and is rolled back;
    // #3 waits at the prod gate.
    const shipped = await pipeline.start(
      pipeline.repo.commit('OPS-7 weekly orders report', { 'NOTES.md': 'a\n' }),
    );
    const [gate] = await untilPending(pipeline, { executionArn: shipped });
    await approve(gate.id);
    shippedRelease = (await pipeline.finish(shipped)).output.release;
    const broken = await pipeline.start(pipeline.repo.commit('break health', { HEALTH_FAIL: 'yes\n' }));
    expect((await pipeline.finish(broken)).status).toBe('FAILED');
    rmSync(join(pipeline.repo.dir, 'HEALTH_FAIL'));
    const waiting = await pipeline.start(pipeline.repo.commit('OPS-8 faster report', { 'NOTES.md': 'b\n' }));
    await untilPending(pipeline, { executionArn: waiting });
    Object.assign(runs, { shipped: nameOf(shipped), broken: nameOf(broken), waiting: nameOf(waiting) });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await pipeline?.close();
  });

  it('lands on the board: a lane per environment with its release, approver, health and the run waiting at the gate', async () => {
    // Arrange
    const environments = pipeline.config.environments.map((e) => e.name);
    // Act
    await page.goto(`${server.origin}/console`);
    await page.locator('.board-lanes[data-loaded]').waitFor();
    // Assert
    await expect(page.locator('main h1').textContent()).resolves.toBe('Delivery board');
    await expect(
      page.locator('section.board-lane').evaluateAll((els) => els.map((e) => e.getAttribute('data-env'))),
    ).resolves.toEqual(environments);
    const prod = page.locator('section.board-lane[data-env="prod"]');
    await expect(prod.textContent()).resolves.toContain(shippedRelease);
    await expect(prod.locator('dl.facts').textContent()).resolves.toMatch(/Approved by\s*ana/);
    await expect(prod.locator('h2 .badge').textContent()).resolves.toBe('healthy');
    // #2 failed in the first environment and was rolled back; #3 has since been promoted there.
    const first = page.locator(`section.board-lane[data-env="${environments[0]}"]`);
    await expect(first.locator('h2 .badge').textContent()).resolves.toBe('healthy');
    await expect(first.locator('.lane-failure').count()).resolves.toBe(0);
    const coming = prod.locator(`ul.incoming li[data-run="${runs.waiting}"]`);
    await expect(coming.textContent()).resolves.toMatch(
      /^#3 waiting at the gate for ana.*OPS-8 faster report/,
    );
    if (process.env.TOLLGATE_README_IMAGES === '1') {
      mkdirSync(README_IMAGES, { recursive: true });
      await page.screenshot({ path: `${README_IMAGES}console-board.png`, fullPage: true });
    }
    await shot('board');
    // Act: by keyboard, from the waiting run's number to its page
    await coming.getByRole('link', { name: '#3' }).focus();
    await page.keyboard.press('Enter');
    // Assert
    await expect.poll(() => page.evaluate<string>('location.hash')).toBe(`#/runs/${runs.waiting}`);
  }, 60_000);

  it('draws the DORA measures and stage durations as charts, with the numbers in a table', async () => {
    // Act
    await page.goto(`${server.origin}/console#/stats`);
    await page.locator('main [data-loaded]').waitFor();
    // Assert
    const prod = page.locator('table.dora tr[data-env="prod"]');
    await expect(prod.locator('td').first().textContent()).resolves.toBe('1');
    const first = pipeline.config.environments[0]!.name;
    // Two deployments and one failure there; recovered when #3 was promoted.
    const firstRow = page.locator(`table.dora tr[data-env="${first}"] td`);
    await expect(firstRow.nth(4).textContent()).resolves.toBe('33 % (1 failed)');
    await expect(firstRow.nth(5).textContent()).resolves.not.toBe('—');
    await expect.poll(() => page.locator('figure.chart .chart-canvas[data-drawn] canvas').count()).toBe(3);
    await expect(page.locator('figure.chart figcaption').allTextContents()).resolves.toEqual([
      'Deployments per week, per environment',
      'Lead time from commit to prod (median per week)',
      'Stage durations over the last 2 finished runs',
    ]);
    // Something was drawn: the canvas is not blank.
    const inked = await page.evaluate<number>(`(() => {
      const c = document.querySelector('figure.chart canvas');
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    })()`);
    expect(inked).toBeGreaterThan(100);
    await page.locator('details summary', { hasText: 'The numbers' }).click();
    await expect(page.locator('table.stage-durations tbody tr').count()).resolves.toBe(2);
    await shot('stats');
  }, 60_000);

  it('searches runs by ticket, message and commit, and goes to a run by its number, by keyboard', async () => {
    // Arrange
    await page.goto(`${server.origin}/console#/runs`);
    await page.locator('table.runs tbody tr[data-run]').first().waitFor();
    const rows = () =>
      page
        .locator('table.runs tbody tr[data-run]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-run')));
    // Act: type a ticket ID and press Enter
    await page.getByLabel('Ticket').fill('OPS-7');
    await page.getByLabel('Ticket').press('Enter');
    // Assert
    await expect.poll(rows).toEqual([runs.shipped]);
    await expect(page.locator(`tr[data-run="${runs.shipped}"] td`).nth(1).textContent()).resolves.toBe('#1');
    // Act: the message instead
    await page.getByLabel('Ticket').fill('');
    await page.getByLabel('Message').fill('break');
    await page.getByLabel('Message').press('Enter');
    // Assert
    await expect.poll(rows).toEqual([runs.broken]);
    await shot('runs-search');
    // Act: a bad commit prefix says why in one line
    await page.getByLabel('Message').fill('');
    await page.getByLabel('Commit').fill('not-hex');
    await page.getByLabel('Commit').press('Enter');
    // Assert
    await expect
      .poll(() => page.locator('p.error').textContent())
      .toMatch(/commit must be a hex commit hash/);
    // Act: go to #2 by number
    await page.getByLabel('Go to run number').fill('#2');
    await page.getByLabel('Go to run number').press('Enter');
    // Assert
    await expect.poll(() => page.evaluate<string>('location.hash')).toBe(`#/runs/${runs.broken}`);
  }, 60_000);

  it('fits the board, the charts and the search on a 1024 px screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      for (const [name, hash, ready] of [
        ['board', '#/board', '.board-lanes[data-loaded]'],
        ['stats', '#/stats', 'figure.chart .chart-canvas[data-drawn]'],
        ['runs', '#/runs', 'table.runs tbody tr[data-run]'],
      ] as const) {
        // Act
        await page.goto(`${server.origin}/console${hash}`);
        await page.locator(ready).first().waitFor();
        const overflow = await page.evaluate<number>(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        // Assert
        expect(overflow, `${name} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
        await shot(`${name}-1024-delivery`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  }, 60_000);
});
