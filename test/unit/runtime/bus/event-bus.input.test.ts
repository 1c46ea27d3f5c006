import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsApiError } from '../../../../runtime/api/aws-service.js';
import { commitRules } from '../../../../runtime/bus/commit-rules.js';
import { EventBusError } from '../../../../runtime/bus/errors.js';
import { createEventBus, type EventBus, type EventBusOptions } from '../../../../runtime/bus/event-bus.js';
import { compilePattern } from '../../../../runtime/bus/event-pattern.js';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';

const GOOD = { Source: 'tollgate.git', DetailType: 'Commit Pushed', Detail: '{"branch":"main"}' };

describe('createEventBus bad input', () => {
  let dataDir: string;
  let bus: EventBus;
  const options = (over: Partial<EventBusOptions> = {}): EventBusOptions => ({
    clock: new FakeEngineClock(),
    rules: [{ name: 'Commits', eventPattern: { source: ['tollgate.git'] } }],
    dataDir,
    onMatch: () => undefined,
    ...over,
  });

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tollgate-bus-'));
    bus = createEventBus(options());
    await bus.start();
  });

  afterEach(async () => {
    await bus.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const REQUESTS: readonly { name: string; request: unknown; message: string }[] = [
    { name: 'the body is not an object', request: [GOOD], message: 'The request body must be a JSON object' },
    {
      name: 'Entries is missing',
      request: {},
      message: "Value null at 'entries' failed to satisfy constraint: Member must not be null",
    },
    {
      name: 'Entries is not a list',
      request: { Entries: GOOD },
      message: 'Entries must be a list of PutEventsRequestEntry',
    },
    {
      name: 'an entry is not an object',
      request: { Entries: [GOOD, 'x'] },
      message: 'Entries[1] must be a PutEventsRequestEntry object',
    },
    {
      name: 'Source is a number',
      request: { Entries: [{ ...GOOD, Source: 1 }] },
      message: 'Entries[0].Source must be a string',
    },
    {
      name: 'Detail is an object',
      request: { Entries: [{ ...GOOD, Detail: { branch: 'main' } }] },
      message: 'Entries[0].Detail must be a string',
    },
    {
      name: 'EventBusName is a list',
      request: { Entries: [{ ...GOOD, EventBusName: ['default'] }] },
      message: 'Entries[0].EventBusName must be a string',
    },
    {
      name: 'Time is a string',
      request: { Entries: [{ ...GOOD, Time: '2026-01-01' }] },
      message: 'Entries[0].Time must be a timestamp in epoch seconds',
    },
    {
      name: 'Resources holds a number',
      request: { Entries: [{ ...GOOD, Resources: ['arn', 1] }] },
      message: 'Entries[0].Resources must be a list of strings',
    },
  ];

  it.each(REQUESTS)(
    'throws ValidationException and records nothing when $name',
    async ({ request, message }) => {
      // Arrange
      const call = bus.dispatch('PutEvents', request);
      // Act
      const error = (await call.catch((e) => e)) as AwsApiError;
      // Assert
      expect(error).toBeInstanceOf(AwsApiError);
      expect(error.code).toBe('ValidationException');
      expect(error.message).toContain(message);
      expect(bus.listEvents({ limit: 10 })).toEqual([]);
    },
  );

  it('throws UnknownOperationException when the operation is not PutEvents', async () => {
    // Arrange
    const call = bus.dispatch('PutRule', { Name: 'x' });
    // Act
    const error = await call.catch((e) => e);
    // Assert
    expect(error).toMatchObject({ code: 'UnknownOperationException', statusCode: 400 });
  });

  it('throws ServiceUnavailable when the bus has not started', async () => {
    // Arrange
    const idle = createEventBus(options());
    // Act
    const error = await idle.dispatch('PutEvents', { Entries: [GOOD] }).catch((e) => e);
    // Assert
    expect(error).toMatchObject({ code: 'ServiceUnavailable', statusCode: 503 });
  });

  it('records the event as a skip when it names an event bus with no rules', async () => {
    // Arrange
    const entry = { ...GOOD, EventBusName: 'arn:aws:events:us-east-1:123456789012:event-bus/other' };
    // Act
    const result = (await bus.dispatch('PutEvents', { Entries: [entry] })) as { FailedEntryCount: number };
    // Assert
    expect(result.FailedEntryCount).toBe(0);
    expect(bus.listEvents({ limit: 1 })[0]).toMatchObject({
      bus: 'other',
      outcome: 'no-rule-matched',
      skipReason: 'no rule on event bus other matched',
    });
  });

  const CONFIGS: readonly { name: string; over: () => Partial<EventBusOptions>; message: string }[] = [
    {
      name: 'a rule pattern is invalid',
      over: () => ({ rules: [{ name: 'Bad', eventPattern: { source: 'x' } }] }),
      message:
        'rule Bad: Event pattern is not valid. Reason: "source" must be an object or an array at source',
    },
    {
      name: 'two rules share a name',
      over: () => ({
        rules: [
          { name: 'A', eventPattern: { a: [1] } },
          { name: 'A', eventPattern: { b: [1] }, eventBusName: 'other' },
        ],
      }),
      message: 'rule A is defined twice',
    },
    {
      name: 'a rule name has a space',
      over: () => ({ rules: [{ name: 'my rule', eventPattern: { a: [1] } }] }),
      message: 'rules[0].name must be 1-64 letters',
    },
    {
      name: 'rules is not an array',
      over: () => ({ rules: undefined as never }),
      message: 'createEventBus: rules must be an array',
    },
    {
      name: 'onMatch is missing',
      over: () => ({ onMatch: undefined as never }),
      message: 'createEventBus: clock and onMatch are required',
    },
    {
      name: 'the retry policy is inverted',
      over: () => ({ retry: { baseDelayMs: 5000, maxDelayMs: 10 } }),
      message: 'retry needs positive baseDelayMs <= maxDelayMs',
    },
  ];

  it.each(CONFIGS)('throws EventBusError when $name', ({ over, message }) => {
    // Arrange
    const bad = options(over());
    // Act
    const act = () => createEventBus(bad);
    // Assert
    expect(act).toThrow(EventBusError);
    expect(act).toThrow(message);
  });

  it('throws and creates no directory when dataDir is empty', async () => {
    // Arrange
    const bad = createEventBus(options({ dataDir: '' }));
    // Act
    const started = bad.start();
    // Assert
    await expect(started).rejects.toThrow('dataDir must be a non-empty path, got ""');
    expect(await readdir(dataDir)).toEqual(['bus']);
  });

  it.each([
    [{ limit: 0 }, 'limit must be an integer from 1 to 1000, got 0'],
    [{ limit: 1.5 }, 'limit must be an integer from 1 to 1000, got 1.5'],
    [{ limit: 10, since: 'yesterday' }, 'since must be an ISO 8601 time, got "yesterday"'],
  ])('throws EventBusError from listEvents when given %j', (query, message) => {
    // Arrange
    const act = () => bus.listEvents(query as { limit: number });
    // Act / Assert
    expect(act).toThrow(message);
  });

  it('returns only events received at or after since, newest first, up to limit', async () => {
    // Arrange
    const clock = new FakeEngineClock('2026-01-01T00:00:00.000Z');
    const timed = createEventBus(options({ clock, dataDir: join(dataDir, 'timed') }));
    await timed.start();
    for (const branch of ['a', 'b', 'c']) {
      await timed.dispatch('PutEvents', { Entries: [{ ...GOOD, Detail: JSON.stringify({ branch }) }] });
      clock.advance(60_000);
    }
    // Act
    const recent = timed.listEvents({ since: '2026-01-01T00:01:00.000Z', limit: 10 });
    const newest = timed.listEvents({ limit: 1 });
    await timed.close();
    // Assert
    expect(recent.map((e) => e.event.detail.branch)).toEqual(['c', 'b']);
    expect(newest.map((e) => e.event.detail.branch)).toEqual(['c']);
  });
});

describe('commitRules', () => {
  it('returns the CDK stack’s commit patterns as bus rules that match a pushed commit', () => {
    // Arrange
    const rules = commitRules({ source: { repository: 'orders-service', branches: ['main'] } });
    // Act
    const names = rules.map((r) => r.name);
    // Assert
    expect(names).toEqual(['TollgateCommitPushed', 'CodeCommitStateChange']);
    const codeCommit = compilePattern(rules[1].eventPattern);
    const event = (kind: string) => ({
      source: 'aws.codecommit',
      'detail-type': 'CodeCommit Repository State Change',
      detail: {
        event: kind,
        referenceType: 'branch',
        referenceName: 'main',
        repositoryName: 'orders-service',
      },
    });
    expect([
      codeCommit.matches(event('referenceUpdated')),
      codeCommit.matches(event('referenceDeleted')),
    ]).toEqual([true, false]);
    // Every branch of the repository starts a run; plan-run records the unconfigured ones as skips.
    expect(rules[0].eventPattern).toEqual({
      source: ['tollgate.git'],
      'detail-type': ['Commit Pushed'],
      detail: { repository: ['orders-service'] },
    });
    const pushed = compilePattern(rules[0].eventPattern);
    const push = (repository: string, branch: string) => ({
      source: 'tollgate.git',
      'detail-type': 'Commit Pushed',
      detail: { repository, branch },
    });
    expect([
      pushed.matches(push('orders-service', 'feature/x')),
      pushed.matches(push('billing', 'main')),
    ]).toEqual([true, false]);
  });
});
