import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfToken } from '../../runtime/local-api/auth.js';
import { createLocalPipeline, freePort, type LocalPipeline } from '../support/local-pipeline.js';
import { untilPending } from '../support/pending-approval.js';
import { hasBrowser, launchChromium } from './support/browser.js';
import { type ConsoleServer, seedProduction, startConsoleServer } from './support/console-server.js';

const SHOTS = new URL('../../test-results/', import.meta.url).pathname;

let pipeline: LocalPipeline;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
let approvedRun: string;
let release: string;

async function shot(name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}console-${name}.png`, fullPage: true });
}

describe.skipIf(!hasBrowser)('the console in Chromium', () => {
  beforeAll(async () => {
    pipeline = await createLocalPipeline({ database: true, approval: true });
    await seedProduction(pipeline);
    server = await startConsoleServer(pipeline, 'ana');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await pipeline?.close();
  });

  it('approves a run at the prod gate from the inbox, then shows the run finished and prod on the new release', async () => {
    // Arrange
    const head = pipeline.repo.commit('ship it', { 'NOTES.md': 'v2\n' });
    const arn = await pipeline.start(head);
    approvedRun = arn.split(':').at(-1)!;
    const [pending] = await untilPending(pipeline, { horizonMs: 3_600_000 });
    release = pending!.release.version;
    await page.goto(`${server.origin}/console#/runs`);
    await page.getByRole('link', { name: approvedRun }).waitFor();
    // The run needs a person, and the list and the header say so.
    const row = page.locator(`tr[data-run="${approvedRun}"]`);
    await row.getByText('waiting for approval').waitFor();
    await expect(row.textContent()).resolves.toContain('prod: awaiting approval (ana');
    await page.getByRole('link', { name: 'Approvals, 1 waiting' }).waitFor();
    await shot('runs');
    await page.goto(`${server.origin}/console#/approvals`);
    const card = page.locator(`article[data-approval="${pending!.id}"]`);
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain(release);
    await shot('approvals');
    // Act
    await card.getByLabel('Comment').fill('checked the data checks in staging');
    await card.getByRole('button', { name: `Approve ${release} into prod` }).click();
    await expect
      .poll(() => page.locator('p.notice').textContent(), { timeout: 20_000 })
      .toMatch(new RegExp(`^Recorded: approved — ${release} into prod`));
    const result = await pipeline.finish(arn);
    // Assert
    expect(result.status, JSON.stringify(result)).toBe('SUCCEEDED');
    await page.goto(`${server.origin}/console#/envs`);
    const prod = page.locator('tr[data-env="prod"]');
    await prod.getByRole('link', { name: release }).waitFor();
    await expect(prod.textContent()).resolves.toContain('ana');
    await shot('environments');
    await page.goto(`${server.origin}/console#/runs/${approvedRun}`);
    await page.locator('.lane', { hasText: 'prod' }).first().waitFor();
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('succeeded');
    await expect(
      page.locator('section[aria-label="Approvals and refusals"]').textContent(),
    ).resolves.toContain('decision');
    const gate = page
      .locator('section.lane', { has: page.locator('h3', { hasText: /^prod/ }) })
      .locator('li.stage[data-stage="approval"]');
    await expect(gate.textContent()).resolves.toMatch(
      /Approved by ana at .* — “checked the data checks in staging”/,
    );
    // The stage graph shows first; the full state machine graph is one click away.
    await page
      .locator('.stage-graph [data-lane="prod"] [data-stage="promote"][data-status="succeeded"]')
      .waitFor();
    await page.locator('details.full-graph summary').click();
    await page.locator('svg.graph g[data-node="Environments/Promote"][data-status="succeeded"]').waitFor();
    await shot('run-succeeded');
    await page.goto(`${server.origin}/console#/releases/${release}`);
    await page.getByText('Running in').waitFor();
    await expect(page.locator('dl.facts').textContent()).resolves.toContain('prod');
    await shot('release');
  }, 240_000);

  it('fits a 1024 px laptop screen on every page without sideways scrolling, and works by keyboard', async () => {
    // Arrange
    await page.setViewportSize({ width: 1024, height: 640 });
    const pages: Array<[string, string]> = [
      ['runs', '#/runs'],
      ['approvals', '#/approvals'],
      ['environments', '#/envs'],
      ['run', `#/runs/${approvedRun}`],
      ['release', `#/releases/${release}`],
    ];
    try {
      for (const [name, hash] of pages) {
        // Act
        await page.goto(`${server.origin}/console${hash}`);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        const overflow = await page.evaluate<number>(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        // Assert
        expect(overflow, `${name} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
        await shot(`${name}-1024`);
      }
      // Act: from the top of the runs page, Tab to the Approvals link and open it with Enter
      await page.goto(`${server.origin}/console#/runs`);
      await page.locator('main h1').waitFor();
      // The console moves focus into main on each route (the runs search form is next); start at the top.
      await page.locator('a.skip').focus();
      let focused = '';
      for (let i = 0; i < 8 && !focused.startsWith('Approvals'); i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate<string>("document.activeElement?.textContent?.trim() ?? ''");
      }
      await page.keyboard.press('Enter');
      // Assert
      expect(focused).toMatch(/^Approvals( \(\d+\))?$/);
      await expect.poll(() => page.evaluate<string>('location.hash')).toBe('#/approvals');
      // Act: the graph's zoom button, by keyboard
      await page.goto(`${server.origin}/console#/runs/${approvedRun}`);
      // The full graph opens from its summary by keyboard, then its zoom button.
      await page.locator('details.full-graph summary').focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Actual size' }).focus();
      // The button keeps its place but not its name, which says what pressing it does next.
      const zoom = page.locator('.graph-tools button');
      await page.keyboard.press('Enter');
      // Assert
      await expect(zoom.getAttribute('aria-pressed')).resolves.toBe('true');
      await expect(zoom.textContent()).resolves.toBe('Fit to width');
      const width = await page.locator('svg.graph').evaluate((el) => el.getBoundingClientRect().width);
      expect(width).toBeGreaterThan(1024);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  }, 120_000);

  it('refuses a decision posted by a page from another origin and leaves the approval pending', async () => {
    // Arrange
    const head = pipeline.repo.commit('another change', { 'NOTES.md': 'v3\n' });
    const arn = await pipeline.start(head);
    const [pending] = await untilPending(pipeline, { horizonMs: 3_600_000 });
    const evilPort = await freePort();
    const target = `${server.origin}/api/approvals/${encodeURIComponent(pending!.id)}/decision`;
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      // A form post needs no CORS preflight: the browser sends it, with the attacker's Origin.
      res.end(`<form id="f" method="POST" action="${target}" enctype="text/plain">
        <input name='{"decision":"approve","comment":"x","pad":"' value='"}'></form>
        <script>fetch(${JSON.stringify(target)}, {method: 'POST', mode: 'no-cors', body: '{"decision":"approve"}'})
          .finally(() => document.getElementById('f').submit());</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(evilPort, '127.0.0.1', resolve));
    const statuses: number[] = [];
    let blocked = 0;
    const evilPage = await browser.newPage();
    evilPage.on('response', (r) => {
      if (r.url() === target) statuses.push(r.status());
    });
    // The reply's Cross-Origin-Resource-Policy: same-origin keeps the no-cors fetch's answer from
    // the attacker's page entirely: the browser reports that request as failed, not as a response.
    evilPage.on('requestfailed', (r) => {
      if (r.url() === target) blocked += 1;
    });
    try {
      // Act
      await evilPage.goto(`http://127.0.0.1:${evilPort}/`);
      await expect.poll(() => statuses.length + blocked, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      // Assert: both requests were made; every answer the browser saw was a refusal.
      expect(statuses.length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((s) => s === 403)).toBe(true);
      const still = await pipeline.runner.ports.approvals.get(pending!.id);
      expect(still?.status).toBe('pending');
      const redrive = await fetch(`${server.origin}/api/runs/${approvedRun}/redrive`, {
        method: 'POST',
        headers: { origin: `http://127.0.0.1:${evilPort}`, 'x-csrf-token': 'guess' },
      });
      expect(redrive.status).toBe(403);
      expect(((await redrive.json()) as { message: string }).message).toMatch(/cross-origin request refused/);
    } finally {
      await evilPage.close();
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    }
    // The same request from the console's own origin with its CSRF token goes through.
    const legit = await fetch(target, {
      method: 'POST',
      headers: {
        origin: server.origin,
        'x-csrf-token': csrfToken(server.secret),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ decision: 'approve', comment: 'same origin' }),
    });
    expect(legit.status).toBe(200);
    expect((await pipeline.finish(arn)).status).toBe('SUCCEEDED');
  }, 240_000);
  it('shows a failed run with the failing stage, its error and its evidence, and offers a redrive', async () => {
    // Arrange
    const bad = pipeline.repo.commit('break health', { HEALTH_FAIL: 'yes\n' });
    const arn = await pipeline.start(bad);
    const result = await pipeline.finish(arn);
    expect(result.status).toBe('FAILED');
    const name = arn.split(':').at(-1)!;
    // Act
    await page.goto(`${server.origin}/console#/runs/${name}`);
    const failure = page.locator('.failure');
    await failure.waitFor();
    // Assert
    await expect(failure.textContent()).resolves.toMatch(
      /In stage deploy in test:Deploy failed Tollgate\.DeployFailed/,
    );
    await expect(failure.textContent()).resolves.toContain(
      'Never reached: staging, prod. They keep the releases and data they had.',
    );
    await page.locator('section.lane-not-run', { hasText: 'prod' }).waitFor();
    const lane = page.locator('section.lane', { has: page.locator('h3', { hasText: /^test/ }) });
    const deploy = lane.locator('li.stage[data-stage="deploy"]');
    await expect(deploy.getAttribute('class')).resolves.toContain('s-failed');
    await expect(deploy.textContent()).resolves.toContain('health check failed');
    await expect(lane.locator('li.stage[data-stage="rollback"]').textContent()).resolves.toMatch(
      /Rollback: [\w-]+; running r\d+-\w+ instead of r\d+-/,
    );
    await expect(lane.locator('li.stage[data-stage="migrate"]').textContent()).resolves.toContain(
      'Migrations applied',
    );
    await page.getByRole('button', { name: 'Redrive…' }).waitFor();
    await page.locator('.vt-row[data-event-id="1"]').waitFor();
    await page.locator('details.full-graph summary').click();
    await page.locator('svg.graph g[data-status="failed"]').first().waitFor();
    await shot('run-failed');
    await page.goto(`${server.origin}/console#/runs`);
    await page.getByRole('link', { name }).waitFor();
    await page.getByLabel('Status').selectOption('FAILED');
    await expect.poll(async () => page.locator('table.runs tbody tr').count(), { timeout: 10_000 }).toBe(1);
  }, 240_000);
});
