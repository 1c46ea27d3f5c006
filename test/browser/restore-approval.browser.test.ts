import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestApproval } from '../../functions/request-approval/request-approval.js';
import { createLocalPipeline, type LocalPipeline } from '../support/local-pipeline.js';
import { hasBrowser, launchChromium } from './support/browser.js';
import { type ConsoleServer, startConsoleServer } from './support/console-server.js';

let pipeline: LocalPipeline;
let server: ConsoleServer;
let browser: Browser;

/**
 * A restore approval (after a failure past a breaking migration) in the console's inbox: it must
 * read as a data restore with its cost, not as a promotion of the failed release.
 */
describe.skipIf(!hasBrowser)('the console shows a restore approval', () => {
  beforeAll(async () => {
    pipeline = await createLocalPipeline({ approval: true });
    server = await startConsoleServer(pipeline, 'ana');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await pipeline?.close();
  });

  it('shows the checkpoint, the rows written since by table and a restore button', async () => {
    // Arrange: the run's restore request, as the RequestRestoreApproval state makes it
    const executionArn = 'arn:aws:states:local:000000000000:execution:tollgate-pipeline:run-restore';
    const { approvalId } = await requestApproval(
      {
        executionArn,
        stateName: 'RequestRestoreApproval',
        pipeline: pipeline.config.name,
        environment: 'prod',
        release: {
          version: 'r7-abcdef0',
          commit: 'a'.repeat(40),
          digest: `sha256:${'0'.repeat(64)}`,
          artifactKey: 'k',
        },
        commit: {
          repository: pipeline.config.source.repository,
          branch: 'main',
          commit: 'a'.repeat(40),
          author: { name: 'dana', email: 'dana@orders.example' },
          message: 'Drop order notes',
          timestamp: '2026-01-01T00:00:00.000Z',
        },
        purpose: 'restore',
        restore: {
          offer: true,
          snapshot: 'cp-prod-1',
          takenAt: '2026-01-01T00:00:00.000Z',
          breakingApplied: ['0003_drop_order_notes'],
          rowsSinceCheckpoint: 42,
          rowsByTable: { orders: 40, customers: 2 },
          counted: 'rows inserted or updated since the checkpoint',
        },
        taskToken: 'token-restore',
      },
      pipeline.runner.ports,
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });

    // Act
    await page.goto(`${server.origin}/console#/approvals`);
    const card = page.locator(`article[data-approval="${approvalId}"]`);
    await card.waitFor();

    // Assert
    const text = await card.textContent();
    expect(text).toContain('prod: restore the data from the checkpoint?');
    expect(text).toContain('42 rows written since the checkpoint would be lost');
    expect(text).toContain('orders: 40, customers: 2');
    expect(text).toContain('0003_drop_order_notes');
    await card.getByRole('button', { name: "Restore prod's data from the checkpoint" }).waitFor();
    expect(await card.getByRole('button', { name: /into prod/ }).count()).toBe(0);
  }, 120_000);
});
