import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as approveHandler } from '../../functions/approve/handler.js';
import { repositoryWeb } from '../../model/commit-link.js';
import { createLocalPipeline, type LocalPipeline } from '../support/local-pipeline.js';
import { untilPending } from '../support/pending-approval.js';
import { hasBrowser, launchChromium } from './support/browser.js';
import { type ConsoleServer, startConsoleServer } from './support/console-server.js';

const SHOTS = new URL('../../test-results/', import.meta.url).pathname;
const ORIGIN_REMOTE = 'git@github.com:acme/orders-service.git';

let pipeline: LocalPipeline;
let server: ConsoleServer;
let browser: Browser;
let page: Page;

async function shot(name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}run-page-${name}.png`, fullPage: true });
}

async function sidewaysOverflow(): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

const activeElement = () =>
  page.evaluate<string>(
    "(() => { const a = document.activeElement; if (!a) return ''; return [a.tagName, a.getAttribute('data-stage') ?? '', a.closest('section')?.getAttribute('data-environment') ?? ''].join(':') })()",
  );

/** The run's pending approval; on a loaded machine a run takes more than untilPending's minute to get there. */
async function pendingOf(executionArn: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await untilPending(pipeline, { executionArn }))[0];
    } catch (error) {
      const { status, error: name, cause } = await pipeline.call('DescribeExecution', { executionArn });
      if (status !== 'RUNNING' || attempt === 3)
        throw new Error(`${(error as Error).message}; the run is ${status} ${name ?? ''} ${cause ?? ''}`);
    }
  }
}

describe.skipIf(!hasBrowser)('the run page and the approvals inbox in Chromium', () => {
  beforeAll(async () => {
    // No staging: these pages show a run failing in test and prod's gate; each run through staging
    // only added a deploy and its perf suite.
    pipeline = await createLocalPipeline({ approval: true, environments: ['test', 'prod'] });
    execFileSync('git', ['remote', 'add', 'origin', ORIGIN_REMOTE], { cwd: pipeline.repo.dir });
    server = await startConsoleServer(pipeline, 'ana', { repository: repositoryWeb(ORIGIN_REMOTE) });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await pipeline?.close();
  });

  it('shows a failed run as a stage graph, the failure in words, the stage’s log and a redrive that asks first', async () => {
    // Arrange
    const bad = pipeline.repo.commit('break health', { HEALTH_FAIL: 'yes\n' });
    const arn = await pipeline.start(bad);
    expect((await pipeline.finish(arn)).status).toBe('FAILED');
    const name = arn.split(':').at(-1)!;
    await page.setViewportSize({ width: 1024, height: 700 });

    // Act
    await page.goto(`${server.origin}/console#/runs/${name}`);
    const graph = page.locator('.stage-graph');
    await graph.waitFor();

    // Assert: the run by its number; the collapsed graph is what shows; the full ASL graph waits behind a click.
    await expect(page.locator('main h1').textContent()).resolves.toMatch(new RegExp(`^Run #1 ${name}`));
    const deployNode = graph.locator('[data-lane="test"] button[data-stage="deploy"]');
    await expect(deployNode.getAttribute('data-status')).resolves.toBe('failed');
    await expect(deployNode.getAttribute('aria-label')).resolves.toBe('deploy in test: failed');
    await expect(graph.locator('[data-lane="prod"] button').count()).resolves.toBe(0);
    await expect(
      graph.locator('[data-lane="prod"] [data-stage="promote"]').getAttribute('data-status'),
    ).resolves.toBe('not-run');
    await expect(page.locator('svg.graph').count()).resolves.toBe(0);
    // The commit links to its page on the git host.
    await expect(page.locator('a.commit-link').getAttribute('href')).resolves.toBe(
      `https://github.com/acme/orders-service/commit/${bad}`,
    );
    // The failure reads in words; the raw record is one click away.
    const failure = page.locator('.failure');
    await expect(failure.locator('.failure-title').textContent()).resolves.toBe(
      'Deploy failed Tollgate.DeployFailed',
    );
    await expect(failure.locator('.failure-where').textContent()).resolves.toBe('In stage deploy in test:');
    const cause = (await failure.locator('.cause').textContent()) ?? '';
    expect(cause).toMatch(/health/i);
    expect(cause).not.toMatch(/^\s*[{[]|\\"|errorMessage|\n\s+at /);
    const raw = failure.locator('details.raw-record');
    await expect(raw.evaluate((d) => (d as unknown as { open: boolean }).open)).resolves.toBe(false);
    await raw.locator('summary').click();
    await expect(raw.locator('pre').textContent()).resolves.toContain('"stage": "deploy"');
    expect(await sidewaysOverflow(), 'the run page scrolls sideways at 1024 px').toBeLessThanOrEqual(0);
    await shot('failed-1024');

    // Act: by keyboard, the graph's deploy node takes focus to the stage's card
    await deployNode.focus();
    await page.keyboard.press('Enter');
    // Assert
    await expect.poll(activeElement).toBe('LI:deploy:test');

    // Act: open the stage's log by keyboard
    const card = page.locator('section[data-environment="test"] li.stage[data-stage="deploy"]');
    await expect(card.locator('.stage-error .failure-title').textContent()).resolves.toContain(
      'Deploy failed',
    );
    await card.locator('details.stage-logs summary').focus();
    await page.keyboard.press('Enter');
    // Assert: the deploy task's own lines, not the other stages'
    const log = card.locator('pre.log-lines');
    await log.waitFor();
    const text = (await log.textContent()) ?? '';
    expect(text).toMatch(/INFO {2}Deploy: task started/);
    expect(text).not.toMatch(/SmokeTest|RegisterRelease/);
    await shot('stage-log');

    // Act: the full state machine graph, one click away
    await page.locator('details.full-graph summary').click();
    // Assert
    await page.locator('svg.graph g[data-status="failed"]').first().waitFor();

    // Act: redrive asks first and says where the run resumes; Escape changes nothing
    await page.getByRole('button', { name: 'Redrive…' }).click();
    const dialog = page.locator('dialog.confirm');
    await dialog.waitFor();
    // Assert
    await expect(dialog.textContent()).resolves.toMatch(
      /It resumes at RunFailed, with the input that state had/,
    );
    await expect(dialog.textContent()).resolves.toMatch(
      /RunFailed is a Fail state: .* would fail again at once/,
    );
    await shot('redrive-confirm');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    const before = await pipeline.call('DescribeExecution', { executionArn: arn });
    expect(before.redriveCount ?? 0).toBe(0);

    // Act: confirmed
    await page.getByRole('button', { name: 'Redrive…' }).click();
    await dialog.getByRole('button', { name: 'Redrive from RunFailed' }).click();
    // Assert
    await expect
      .poll(() => page.locator('p[role="status"]').first().textContent())
      .toMatch(/^Redriven: the run continues from RunFailed/);
    const after = await pipeline.finish(arn);
    expect(after.status).toBe('FAILED');
    const described = await pipeline.call('DescribeExecution', { executionArn: arn });
    expect(described.redriveCount).toBe(1);
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 240_000);

  it('shows a pending quorum’s votes and who can still vote, then the inbox history says rejected and expired', async () => {
    // Arrange: prod needs two approvals, and the release is healthy again (the commit drops the marker)
    rmSync(join(pipeline.repo.dir, 'HEALTH_FAIL'), { force: true });
    const prod = pipeline.config.environments.find((e) => e.name === 'prod')!;
    (prod.approval as { minApprovals: number }).minApprovals = 2;
    const first = await pipeline.start(pipeline.repo.commit('two approvals', { 'Q.md': 'q\n' }));
    const pending = await pendingOf(first);
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.goto(`${server.origin}/console#/approvals`);
    const card = page.locator(`article[data-approval="${pending.id}"]`);
    await card.waitFor();
    await expect(card.locator('dd.quorum').textContent()).resolves.toBe('0 of 2 approvals (no votes yet)');

    // Act: ana approves, by keyboard
    await card.getByLabel('Comment').fill('staging looks right');
    await card.getByRole('button', { name: /^Approve .* into prod$/ }).focus();
    await page.keyboard.press('Enter');

    // Assert: one vote in, one more needed, ben can still give it
    await expect
      .poll(() => page.locator('p.notice').textContent(), { timeout: 20_000 })
      .toMatch(/More approvals are needed/);
    await expect
      .poll(() => card.locator('dd.quorum').textContent())
      .toMatch(/^1 of 2 approvals.*ana: approved at .* — “staging looks right”/);
    await expect(card.locator('dd.can-vote').textContent()).resolves.toBe('ben (1 more approval needed)');
    expect(await sidewaysOverflow(), 'the approvals page scrolls sideways at 1024 px').toBeLessThanOrEqual(0);
    await shot('quorum-1024');

    // Act: ben rejects; a second run's approval expires
    await approveHandler(async () => pipeline.runner.ports)({
      approvalId: pending.id,
      decision: 'reject',
      comment: 'not before the freeze ends',
      caller: 'ben',
    });
    expect((await pipeline.finish(first)).status).toBe('FAILED');
    const second = await pipeline.start(pipeline.repo.commit('nobody looks', { 'R.md': 'r\n' }));
    const late = await pendingOf(second);
    pipeline.clock.advance(24 * 3600 * 1000 + 1000);
    expect((await pipeline.finish(second)).status).toBe('FAILED');
    await page.reload();

    // Assert: the history says how each ended
    const rejected = page.locator(`table.approval-history tr[data-approval="${pending.id}"]`);
    await rejected.waitFor();
    await expect(rejected.getAttribute('data-outcome')).resolves.toBe('rejected');
    await expect(rejected.textContent()).resolves.toMatch(/rejected.*prod.*ben.*not before the freeze ends/);
    const expired = page.locator(`table.approval-history tr[data-approval="${late.id}"]`);
    await expect(expired.textContent()).resolves.toMatch(
      /expired: nobody decided in time.*no decision within the approval timeout/,
    );
    expect(await sidewaysOverflow()).toBeLessThanOrEqual(0);
    await shot('approval-history-1024');
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 240_000);
});
