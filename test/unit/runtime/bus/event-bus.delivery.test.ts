import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryRejectedError, OutboxCorruptError } from '../../../../runtime/bus/errors.js';
import {
  type BusRule,
  createEventBus,
  type EventBus,
  type EventBusOptions,
} from '../../../../runtime/bus/event-bus.js';
import type { EventEnvelope } from '../../../../runtime/bus/event-envelope.js';
import { OUTBOX_FILE } from '../../../../runtime/bus/event-outbox.js';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'bus-main.ts');

const RULES: BusRule[] = [
  { name: 'Commits', eventPattern: { source: ['tollgate.git'], 'detail-type': ['Commit Pushed'] } },
  { name: 'MainOnly', eventPattern: { source: ['tollgate.git'], detail: { branch: ['main'] } } },
];

const put = (bus: EventBus, ...branches: string[]) =>
  bus.dispatch('PutEvents', {
    Entries: branches.map((branch) => ({
      Source: 'tollgate.git',
      DetailType: 'Commit Pushed',
      Detail: JSON.stringify({ branch }),
    })),
  }) as Promise<{ FailedEntryCount: number; Entries: { EventId: string }[] }>;

describe('createEventBus delivery', () => {
  let dataDir: string;
  let clock: FakeEngineClock;
  const open: EventBus[] = [];

  const makeBus = async (overrides: Partial<EventBusOptions> & Pick<EventBusOptions, 'onMatch'>) => {
    const bus = createEventBus({ clock, rules: RULES, dataDir, ...overrides });
    open.push(bus);
    await bus.start();
    return bus;
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tollgate-bus-'));
    clock = new FakeEngineClock('2026-01-01T00:00:00.000Z');
  });

  afterEach(async () => {
    for (const bus of open.splice(0)) await bus.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers every matched rule with the event id when one event matches two rules', async () => {
    // Arrange
    const calls: string[] = [];
    const bus = await makeBus({ onMatch: (rule, event) => void calls.push(`${rule.name}:${event.id}`) });
    // Act
    const { Entries } = await put(bus, 'main');
    await bus.whenIdle();
    // Assert
    const id = Entries[0].EventId;
    expect(calls).toEqual([`Commits:${id}`, `MainOnly:${id}`]);
    expect(bus.getEvent(id)?.deliveries).toEqual([
      { rule: 'Commits', status: 'delivered', attempts: 1, deliveredAt: '2026-01-01T00:00:00.000Z' },
      { rule: 'MainOnly', status: 'delivered', attempts: 1, deliveredAt: '2026-01-01T00:00:00.000Z' },
    ]);
  });

  it('writes the event to the outbox before PutEvents answers', async () => {
    // Arrange
    const bus = await makeBus({ onMatch: () => Promise.reject(new Error('engine down')) });
    // Act
    const { Entries } = await put(bus, 'dev');
    // Assert
    const lines = (await readFile(join(dataDir, OUTBOX_FILE), 'utf8')).trim().split('\n');
    const accepted = JSON.parse(lines[0]);
    expect(accepted).toMatchObject({ t: 'accepted', bus: 'default', rules: ['Commits'] });
    expect(accepted.event.id).toBe(Entries[0].EventId);
  });

  it('delivers events accepted before kill -9 when a new bus starts on the same directory', async () => {
    // Arrange: a child process accepts two events, its receiver never answers, and it is killed.
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      child.once('exit', (code) => reject(new Error(`bus child exited early with ${code}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const ids = (JSON.parse(line) as { Entries: { EventId: string }[] }).Entries.map((e) => e.EventId);
    const received: string[] = [];
    // Act
    const bus = await makeBus({ rules: [RULES[0]], onMatch: (_rule, event) => void received.push(event.id) });
    await bus.whenIdle();
    // Assert
    expect(received).toEqual(ids);
    expect(bus.listEvents({ limit: 5 }).map((e) => e.outcome)).toEqual(['delivered', 'delivered']);
  });

  it('retries a failing delivery with doubling backoff on the clock until it succeeds', async () => {
    // Arrange
    const attempts: number[] = [];
    const bus = await makeBus({
      rules: [RULES[0]],
      onMatch: () => {
        attempts.push(clock.now());
        if (attempts.length < 3) throw new Error('engine busy');
      },
    });
    const { Entries } = await put(bus, 'main');
    await bus.whenIdle();
    const id = Entries[0].EventId;
    const afterFirst = bus.getEvent(id)?.deliveries[0];
    // Act
    clock.advance(999);
    await bus.whenIdle();
    const beforeDue = attempts.length;
    clock.advance(1);
    await bus.whenIdle();
    clock.advance(2000);
    await bus.whenIdle();
    // Assert
    expect(afterFirst).toEqual({
      rule: 'Commits',
      status: 'retrying',
      attempts: 1,
      lastError: 'Error: engine busy',
      nextAttemptAt: '2026-01-01T00:00:01.000Z',
    });
    expect(beforeDue).toBe(1);
    const t0 = Date.parse('2026-01-01T00:00:00.000Z');
    expect(attempts).toEqual([t0, t0 + 1000, t0 + 3000]);
    expect(bus.getEvent(id)).toMatchObject({
      outcome: 'delivered',
      deliveries: [{ status: 'delivered', attempts: 3 }],
    });
  });

  it('resumes a retrying delivery at its due time after a restart', async () => {
    // Arrange
    const first = await makeBus({ rules: [RULES[0]], onMatch: () => Promise.reject(new Error('down')) });
    const { Entries } = await put(first, 'main');
    await first.whenIdle();
    await first.close();
    const received: number[] = [];
    const second = await makeBus({ rules: [RULES[0]], onMatch: () => void received.push(clock.now()) });
    await second.whenIdle();
    const beforeDue = received.length;
    // Act
    clock.advance(1000);
    await second.whenIdle();
    // Assert
    expect(beforeDue).toBe(0);
    expect(received).toEqual([Date.parse('2026-01-01T00:00:01.000Z')]);
    expect(second.getEvent(Entries[0].EventId)?.deliveries[0]).toMatchObject({
      status: 'delivered',
      attempts: 2,
    });
  });

  it('stops retrying and records the reason when the receiver rejects the delivery', async () => {
    // Arrange
    let calls = 0;
    const bus = await makeBus({
      rules: [RULES[0]],
      onMatch: () => {
        calls++;
        throw new DeliveryRejectedError('state machine pipeline does not exist');
      },
    });
    // Act
    const { Entries } = await put(bus, 'main');
    await bus.whenIdle();
    clock.advance(3_600_000);
    await bus.whenIdle();
    // Assert
    expect(calls).toBe(1);
    expect(bus.getEvent(Entries[0].EventId)).toMatchObject({
      outcome: 'failed',
      deliveries: [
        { status: 'failed', lastError: 'DeliveryRejectedError: state machine pipeline does not exist' },
      ],
    });
  });

  it('records a failed delivery when the matched rule is gone after a restart', async () => {
    // Arrange
    const first = await makeBus({ onMatch: () => Promise.reject(new Error('down')) });
    const { Entries } = await put(first, 'main');
    await first.whenIdle();
    await first.close();
    // Act
    const second = await makeBus({ rules: [RULES[0]], onMatch: () => undefined });
    clock.advance(1000);
    await second.whenIdle();
    // Assert
    expect(second.getEvent(Entries[0].EventId)?.deliveries).toMatchObject([
      { rule: 'Commits', status: 'delivered' },
      { rule: 'MainOnly', status: 'failed', lastError: 'rule MainOnly no longer exists' },
    ]);
  });

  it('drops a torn final line and keeps appending after it', async () => {
    // Arrange
    const first = await makeBus({ onMatch: () => undefined });
    const { Entries } = await put(first, 'main');
    await first.whenIdle();
    await first.close();
    await appendFile(join(dataDir, OUTBOX_FILE), '{"t":"accepted","at":1,"bus":"def');
    // Act
    const second = await makeBus({ onMatch: () => undefined });
    await put(second, 'dev');
    await second.close();
    const third = await makeBus({ onMatch: () => undefined });
    // Assert
    expect(third.listEvents({ limit: 10 }).map((e) => e.outcome)).toEqual(['delivered', 'delivered']);
    expect(third.listEvents({ limit: 10 })[1].id).toBe(Entries[0].EventId);
  });

  it('refuses to start with OutboxCorruptError when a middle line is damaged', async () => {
    // Arrange
    await makeBus({ onMatch: () => undefined }).then((b) => b.close());
    await writeFile(
      join(dataDir, OUTBOX_FILE),
      'not json\n{"t":"delivered","at":1,"id":"x","rule":"r","attempt":1}\n',
    );
    const bus = createEventBus({ clock, rules: RULES, dataDir, onMatch: () => undefined });
    // Act
    const started = bus.start();
    // Assert
    await expect(started).rejects.toThrow(OutboxCorruptError);
    await expect(bus.start()).rejects.toThrow('the event bus cannot start: it is starting');
  });

  it('delivers queued events in acceptance order', async () => {
    // Arrange
    const seen: string[] = [];
    const bus = await makeBus({
      rules: [RULES[1]],
      onMatch: (_rule, event: EventEnvelope) => void seen.push(event.id),
    });
    // Act
    const a = await put(bus, 'main', 'main');
    const b = await put(bus, 'main');
    await bus.whenIdle();
    // Assert
    expect(seen).toEqual([...a.Entries, ...b.Entries].map((e) => e.EventId));
  });
});
