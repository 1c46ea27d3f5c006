import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approve } from '../../../../functions/approve/approve.js';
import type { GuardState } from '../../../../functions/concurrency-guard/guard-state.js';
import {
  type RequestApprovalInput,
  requestApproval,
} from '../../../../functions/request-approval/request-approval.js';
import { approvalId } from '../../../../functions/shared/approvals/approval-id.js';
import type { ReleaseRef } from '../../../../functions/shared/release.js';
import { gatedConfig, localApprovalPorts, PIPELINE, storeRelease } from './request-approval-fixture.js';

const RUN = 'arn:aws:states:eu-west-1:123456789012:execution:orders-service:run-9';

function gateInput(release: ReleaseRef, over: Partial<RequestApprovalInput> = {}): RequestApprovalInput {
  return {
    executionArn: RUN,
    stateName: 'ApprovalGate',
    pipeline: PIPELINE,
    environment: 'prod',
    release,
    commit: {
      repository: 'orders-service',
      branch: 'main',
      commit: release.commit,
      parents: ['f'.repeat(40)],
      author: { name: 'alice', email: 'alice@example.com' },
      message: 'Add unique index on lower(email)\n\nDetails',
      timestamp: '2026-01-01T00:00:00.000Z',
    },
    approval: {
      approvers: ['carol', 'bob'],
      minApprovals: 1,
      timeoutSeconds: 3600,
      allowSelfApproval: false,
    },
    previousEnvironment: {
      name: 'test',
      smokeTests: { passed: 3, failed: 0 },
      dataChecks: { violations: 0 },
    },
    taskToken: 'token-one',
    ...over,
  };
}

describe('requestApproval', () => {
  it('stores a pending approval with evidence against the release in prod, records it and notifies once', async () => {
    // Arrange
    const { ports, dir } = localApprovalPorts();
    const inProd = await storeRelease(ports, 5, ['0001_create.sql']);
    await storeRelease(ports, 6, ['0001_create.sql', '0002_index.sql'], 'add index');
    const release = await storeRelease(ports, 7, ['0001_create.sql', '0002_index.sql', '0003_unique.sql']);
    await ports.ledger.append({
      kind: 'promotion',
      pipeline: PIPELINE,
      at: '2025-12-30T00:00:00.000Z',
      executionArn: 'run-5',
      environment: 'prod',
      releaseVersion: inProd.version,
      data: {},
      idempotencyKey: 'run-5#Promote',
    });
    // Act
    const out = await requestApproval(gateInput(release), ports);
    // Assert
    const record = await ports.approvals.get(out.approvalId);
    expect(out).toEqual({
      approvalId: approvalId(RUN, 'prod'),
      status: 'pending',
      expiresAt: '2026-01-01T01:00:00.000Z',
      created: true,
      tokenReplaced: false,
    });
    expect(record?.evidence).toMatchObject({
      current: { version: inProd.version, since: '2025-12-30T00:00:00.000Z', via: 'promotion' },
      commits: {
        known: 'releases',
        items: [
          { version: 'r6-6666666', message: 'add index', author: 'dev <dev@example.com>' },
          { version: release.version },
        ],
        parents: ['f'.repeat(40)],
      },
      migrationsAdded: { known: true, names: ['0002_index', '0003_unique'] },
      previousEnvironment: {
        name: 'test',
        smokeTests: { passed: 3, failed: 0 },
        dataChecks: { violations: 0 },
      },
    });
    expect(await ports.ledger.query({ kinds: ['approval-requested'] })).toHaveLength(1);
    const inbox = readFileSync(join(dir, 'inbox', 'notifications.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(inbox).toHaveLength(1);
    expect(JSON.parse(inbox[0])).toMatchObject({
      subject: `${PIPELINE}: approve ${release.version} into prod`,
    });
  });

  it('says the commits are unknown when nothing has been promoted to the environment yet', async () => {
    // Arrange
    const { ports } = localApprovalPorts();
    const release = await storeRelease(ports, 1, ['0001_create.sql']);
    // Act
    const out = await requestApproval(gateInput(release), ports);
    // Assert
    const evidence = (await ports.approvals.get(out.approvalId))?.evidence;
    expect(evidence).toMatchObject({
      current: null,
      commits: { known: 'unknown', note: 'nothing has been promoted to prod yet' },
      migrationsAdded: { known: true, names: ['0001_create'] },
    });
  });

  it('does not call a migration new to prod when an earlier run already applied it there', async () => {
    // Arrange: r5 runs in prod; r6 migrated prod (0002) and then failed its smoke tests, so prod
    // was rolled back to r5 while 0002 stayed in its database.
    const { ports } = localApprovalPorts();
    const inProd = await storeRelease(ports, 5, ['0001_create.sql']);
    await storeRelease(ports, 6, ['0001_create.sql', '0002_index.sql']);
    const release = await storeRelease(ports, 7, ['0001_create.sql', '0002_index.sql', '0003_unique.sql']);
    const base = { pipeline: PIPELINE, environment: 'prod', actor: 'tollgate' } as const;
    await ports.ledger.append({
      ...base,
      kind: 'promotion',
      at: '2025-12-30T00:00:00.000Z',
      executionArn: 'run-5',
      releaseVersion: inProd.version,
      data: {},
      idempotencyKey: 'run-5#Promote',
    });
    await ports.ledger.append({
      ...base,
      kind: 'migrations-applied',
      at: '2025-12-31T00:00:00.000Z',
      executionArn: 'run-6',
      releaseVersion: 'r6-6666666',
      data: { applied: ['0002_index'], present: ['0001_create', '0002_index'] },
      idempotencyKey: 'run-6#MigrateDatabase#prod',
    });
    // Act
    const out = await requestApproval(gateInput(release), ports);
    // Assert
    expect((await ports.approvals.get(out.approvalId))?.evidence).toMatchObject({
      current: { version: inProd.version },
      migrationsAdded: { known: true, names: ['0003_unique'] },
    });
  });

  it('counts migrations applied before the last refresh as gone: the refresh replaced the database', async () => {
    // Arrange
    const { ports } = localApprovalPorts();
    const release = await storeRelease(ports, 2, ['0001_create.sql', '0002_index.sql']);
    const base = { pipeline: PIPELINE, environment: 'prod', actor: 'tollgate' } as const;
    await ports.ledger.append({
      ...base,
      kind: 'migrations-applied',
      at: '2025-12-30T00:00:00.000Z',
      executionArn: 'run-1',
      data: { applied: ['0001_create', '0002_index'], present: ['0001_create', '0002_index'] },
      idempotencyKey: 'run-1#MigrateDatabase#prod',
    });
    await ports.ledger.append({
      ...base,
      kind: 'data-refresh',
      at: '2025-12-31T00:00:00.000Z',
      executionArn: 'run-1b',
      data: {},
      idempotencyKey: 'run-1b#RecordRefresh#prod',
    });
    // Act
    const out = await requestApproval(gateInput(release), ports);
    // Assert
    expect((await ports.approvals.get(out.approvalId))?.evidence).toMatchObject({
      current: null,
      migrationsAdded: { known: true, names: ['0001_create', '0002_index'] },
    });
  });

  it('keeps the approval and replaces only the token when Step Functions re-invokes the gate', async () => {
    // Arrange
    const { ports, clock } = localApprovalPorts();
    const release = await storeRelease(ports, 1, ['0001_create.sql']);
    const first = await requestApproval(gateInput(release), ports);
    clock.advance(30_000);
    // Act
    const again = await requestApproval(gateInput(release, { taskToken: 'token-two' }), ports);
    // Assert
    expect(again).toMatchObject({
      approvalId: first.approvalId,
      expiresAt: first.expiresAt,
      created: false,
      tokenReplaced: true,
    });
    expect(await ports.approvals.readToken(first.approvalId)).toBe('token-two');
    expect(await ports.ledger.query({ kinds: ['approval-requested'] })).toHaveLength(1);
  });

  it('delivers an earlier decision to the new token when the gate is re-invoked after it was decided', async () => {
    // Arrange
    const { ports, callback } = localApprovalPorts();
    const release = await storeRelease(ports, 1, ['0001_create.sql']);
    const { approvalId: id } = await requestApproval(gateInput(release), ports);
    await approve(
      {
        approvalId: id,
        decision: 'approve',
        comment: '',
        caller: { kind: 'local', user: 'bob' },
        attemptId: 'a1',
      },
      ports,
    );
    // Act
    await requestApproval(gateInput(release, { taskToken: 'token-retry' }), ports);
    // Assert
    expect(callback.calls.map((c) => [c.kind, c.token])).toEqual([
      ['success', 'token-one'],
      ['success', 'token-retry'],
    ]);
  });

  it('refuses an environment without an approval block and writes nothing', async () => {
    // Arrange
    const { ports } = localApprovalPorts();
    const release = await storeRelease(ports, 1, ['0001_create.sql']);
    // Act
    const call = requestApproval(gateInput(release, { environment: 'test', approval: null }), ports);
    // Assert
    await expect(call).rejects.toThrow(
      'environment "test" has no approval block in the config; nothing to request',
    );
    expect(await ports.approvals.listPending()).toEqual([]);
    expect(await ports.ledger.query()).toEqual([]);
  });

  it('refuses approval settings that differ from the deployed config and writes nothing', async () => {
    // Arrange
    const { ports } = localApprovalPorts();
    const release = await storeRelease(ports, 1, ['0001_create.sql']);
    const approval = {
      approvers: ['mallory'],
      minApprovals: 1,
      timeoutSeconds: 3600,
      allowSelfApproval: false,
    };
    // Act
    const call = requestApproval(gateInput(release, { approval }), ports);
    // Assert
    await expect(call).rejects.toThrow(/differ from the deployed config/);
    expect(await ports.approvals.listPending()).toEqual([]);
    expect(await ports.ledger.query()).toEqual([]);
  });

  describe('in superseded mode', () => {
    const NEWER = { executionArn: `${RUN}-newer`, commit: 'b'.repeat(40) };
    const holding = (supersededBy?: typeof NEWER): GuardState => ({
      holder: {
        executionArn: RUN,
        commit: {
          commit: 'a'.repeat(40),
          branch: 'main',
          author: { name: 'alice', email: 'alice@example.com' },
          timestamp: '2026-01-01T00:00:00.000Z',
        },
        acquiredAt: '2026-01-01T00:00:00.000Z',
        leaseUntil: '2026-01-01T06:00:00.000Z',
        ...(supersededBy ? { supersededBy } : {}),
      },
    });

    it('cancels its own approval, asks nobody and fails the gate when a newer commit marked the run after its last renewal', async () => {
      // Arrange: the newer commit's guard marked the holder before this approval existed
      const { ports, callback, dir } = localApprovalPorts(
        gatedConfig({ concurrency: { mode: 'superseded' } }),
      );
      const release = await storeRelease(ports, 7, ['0001_create.sql']);
      await ports.locks.put(`guard-${PIPELINE}`, holding(NEWER), 0);
      // Act
      const out = await requestApproval(gateInput(release), ports);
      // Assert
      expect(out.status).toBe('cancelled');
      expect((await ports.approvals.get(out.approvalId))?.status).toBe('cancelled');
      expect(await ports.ledger.query({ kinds: ['approval-requested'] })).toEqual([]);
      const [cancelled] = await ports.ledger.query({ kinds: ['approval-cancelled'] });
      expect(cancelled?.data).toMatchObject({ supersededBy: NEWER });
      expect(callback.calls.map((c) => (c.kind === 'failure' ? c.error : c.kind))).toEqual([
        'Tollgate.ApprovalCancelled',
      ]);
      expect(existsSync(join(dir, 'inbox', 'notifications.jsonl'))).toBe(false);
    });

    it('asks as usual when the run holds the lock unmarked', async () => {
      const { ports } = localApprovalPorts(gatedConfig({ concurrency: { mode: 'superseded' } }));
      const release = await storeRelease(ports, 7, ['0001_create.sql']);
      await ports.locks.put(`guard-${PIPELINE}`, holding(), 0);
      const out = await requestApproval(gateInput(release), ports);
      expect(out.status).toBe('pending');
      expect(await ports.ledger.query({ kinds: ['approval-requested'] })).toHaveLength(1);
    });
  });
});
