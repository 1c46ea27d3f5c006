import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventBridgeClient,
  EventBridgeServiceException,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitRules } from '../../../../runtime/bus/commit-rules.js';
import { type BusRule, createEventBus, type EventBus } from '../../../../runtime/bus/event-bus.js';
import type { EventEnvelope } from '../../../../runtime/bus/event-envelope.js';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import { type ApiServer, createApiServer } from '../../../../runtime/server/api-server.js';
import { loadOrCreateCredentials, localClientConfig } from '../../../../runtime/server/credentials.js';

const SHA = 'a'.repeat(40);
const commitDetail = (branch = 'main') =>
  JSON.stringify({
    repository: 'orders-service',
    branch,
    commit: SHA,
    parents: [],
    author: { name: 'Ana', email: 'ana@example.com' },
    message: 'Add orders index',
    timestamp: '2026-01-01T00:00:00Z',
  });

describe('createEventBus through the real EventBridge SDK client', () => {
  let dataDir: string;
  let bus: EventBus;
  let api: ApiServer;
  let client: EventBridgeClient;
  let delivered: { rule: BusRule; event: EventEnvelope }[];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tollgate-bus-'));
    delivered = [];
    bus = createEventBus({
      clock: new FakeEngineClock('2026-03-01T10:00:00.250Z'),
      rules: commitRules({ source: { repository: 'orders-service', branches: ['main', 'release'] } }),
      dataDir,
      onMatch: (rule, event) => {
        delivered.push({ rule, event });
      },
    });
    await bus.start();
    api = await createApiServer({
      services: [bus],
      credentials: await loadOrCreateCredentials(dataDir),
      port: 0,
    });
    client = new EventBridgeClient({ ...localClientConfig(dataDir, api.endpoint), maxAttempts: 1 });
  });

  afterEach(async () => {
    client.destroy();
    await api.close();
    await bus.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('returns an EventId and delivers the EventBridge envelope when a commit event matches', async () => {
    // Arrange
    const entry = {
      Source: 'tollgate.git',
      DetailType: 'Commit Pushed',
      Detail: commitDetail(),
      Resources: ['arn:aws:codecommit:us-east-1:123456789012:orders-service'],
      Time: new Date('2026-02-03T04:05:06.789Z'),
    };
    // Act
    const result = await client.send(new PutEventsCommand({ Entries: [entry] }));
    await bus.whenIdle();
    // Assert
    expect(result.FailedEntryCount).toBe(0);
    const id = result.Entries?.[0].EventId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivered.map((d) => d.rule.name)).toEqual(['TollgateCommitPushed']);
    expect(delivered[0].event).toEqual({
      version: '0',
      id,
      'detail-type': 'Commit Pushed',
      source: 'tollgate.git',
      account: '123456789012',
      time: '2026-02-03T04:05:06Z',
      region: 'us-east-1',
      resources: ['arn:aws:codecommit:us-east-1:123456789012:orders-service'],
      detail: JSON.parse(commitDetail()),
    });
    expect(bus.getEvent(id ?? '')?.outcome).toBe('delivered');
  });

  it('stamps the bus clock’s time when the entry has no Time', async () => {
    // Arrange
    const entry = { Source: 'tollgate.git', DetailType: 'Commit Pushed', Detail: commitDetail() };
    // Act
    await client.send(new PutEventsCommand({ Entries: [entry] }));
    await bus.whenIdle();
    // Assert
    expect(delivered[0].event.time).toBe('2026-03-01T10:00:00Z');
    expect(delivered[0].event.resources).toEqual([]);
  });

  it('records a skip with its reason when no rule matches', async () => {
    // Arrange
    // Another repository's commit: every branch of this one starts a run (unconfigured ones as skips).
    const detail = JSON.stringify({ ...JSON.parse(commitDetail()), repository: 'billing' });
    const entry = { Source: 'tollgate.git', DetailType: 'Commit Pushed', Detail: detail };
    // Act
    const result = await client.send(new PutEventsCommand({ Entries: [entry] }));
    await bus.whenIdle();
    // Assert
    expect(delivered).toEqual([]);
    const [archived] = bus.listEvents({ limit: 10 });
    expect(archived).toMatchObject({
      id: result.Entries?.[0].EventId,
      outcome: 'no-rule-matched',
      skipReason: 'no rule on event bus default matched',
      deliveries: [],
    });
  });

  it('answers each bad entry with its AWS error code and accepts the good ones in order', async () => {
    // Arrange
    const good = { Source: 'tollgate.git', DetailType: 'Commit Pushed', Detail: commitDetail() };
    const entries = [
      { DetailType: 'Commit Pushed', Detail: '{}' },
      { Source: 'tollgate.git', Detail: '{}' },
      { Source: 'tollgate.git', DetailType: 'Commit Pushed' },
      { Source: 'tollgate.git', DetailType: 'Commit Pushed', Detail: '{"unterminated": ' },
      { Source: 'tollgate.git', DetailType: 'Commit Pushed', Detail: '[1, 2]' },
      { Source: 'aws.codecommit', DetailType: 'CodeCommit Repository State Change', Detail: '{}' },
      good,
    ];
    // Act
    const result = await client.send(new PutEventsCommand({ Entries: entries }));
    await bus.whenIdle();
    // Assert
    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries?.slice(0, 6)).toEqual([
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
    ]);
    expect(result.Entries?.[6].EventId).toBeDefined();
    expect(bus.listEvents({ limit: 10 }).map((e) => e.id)).toEqual([result.Entries?.[6].EventId]);
    expect(delivered).toHaveLength(1);
  });

  it('throws ValidationException and records nothing when there are more than 10 entries', async () => {
    // Arrange
    const entry = { Source: 'tollgate.git', DetailType: 'Commit Pushed', Detail: commitDetail() };
    // Act
    const error = await client.send(new PutEventsCommand({ Entries: Array(11).fill(entry) })).catch((e) => e);
    // Assert
    expect(error).toBeInstanceOf(EventBridgeServiceException);
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Member must have length less than or equal to 10');
    expect(bus.listEvents({ limit: 10 })).toEqual([]);
  });

  it('throws ValidationException when the request has no entries', async () => {
    // Arrange
    const command = new PutEventsCommand({ Entries: [] });
    // Act
    const error = await client.send(command).catch((e) => e);
    // Assert
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Member must have length greater than or equal to 1');
  });

  it('throws ValidationException and records nothing when the entries exceed 256 KiB', async () => {
    // Arrange
    const big = JSON.stringify({ pad: 'x'.repeat(130 * 1024) });
    const entry = { Source: 'tollgate.git', DetailType: 'Commit Pushed', Detail: big };
    // Act
    const error = await client.send(new PutEventsCommand({ Entries: [entry, entry] })).catch((e) => e);
    // Assert
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Total size of the entries in the request is over the limit');
    expect(bus.listEvents({ limit: 10 })).toEqual([]);
    expect(delivered).toEqual([]);
  });

  it('accepts entries that total exactly 256 KiB', async () => {
    // Arrange
    const source = 'tollgate.git';
    const detailType = 'Commit Pushed';
    const wrapper = JSON.stringify({ pad: '' });
    const pad = 256 * 1024 - source.length - detailType.length - wrapper.length;
    const entry = {
      Source: source,
      DetailType: detailType,
      Detail: JSON.stringify({ pad: 'x'.repeat(pad) }),
    };
    // Act
    const result = await client.send(new PutEventsCommand({ Entries: [entry] }));
    // Assert
    expect(result.FailedEntryCount).toBe(0);
  });
});
