import fs from 'node:fs';
import path from 'node:path';
import { ImmutableConflictError, NotFoundError } from '../../errors.js';
import type {
  OperationRef,
  OperationState,
  OperationStatus,
  ResourceRef,
  SnapshotLabels,
  SnapshotRef,
} from '../../ports/snapshot-provider.js';
import { requestLabels } from '../../snapshots/labels.js';
import { isAlive } from './data-dir-lock.js';
import { readJson, writeJson } from './json-file.js';

export interface OperationRecord {
  readonly operation: OperationRef;
  readonly labels?: SnapshotLabels;
  readonly snapshot?: SnapshotRef;
  readonly state: OperationState;
  readonly ref?: ResourceRef;
  readonly reason?: string;
  /** The process running it; a RUNNING record whose pid is dead was interrupted. */
  readonly pid: number;
}

type Runner = (record: OperationRecord) => Promise<ResourceRef>;

/**
 * Background operations whose state lives in `<dir>/<id>.json`, so they outlive the process that
 * started them. The runner must be idempotent: an interrupted operation is simply run again.
 */
export class OperationJournal {
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(
    private readonly dir: string,
    private readonly runner: Runner,
  ) {}

  begin(input: Pick<OperationRecord, 'operation' | 'labels' | 'snapshot'>): OperationRef {
    const existing = this.read(input.operation.id);
    if (existing) {
      if (fingerprint(existing) !== fingerprint(input)) {
        throw new ImmutableConflictError(
          `idempotency key of operation "${input.operation.id}" was already used for a different request`,
        );
      }
      // A start that is retried after a failure means "try again"; a finished one is left alone.
      if (existing.state === 'FAILED' || this.interrupted(existing)) this.launch(existing);
      return existing.operation;
    }
    this.launch({ ...input, state: 'RUNNING', pid: process.pid });
    return input.operation;
  }

  poll(id: string): OperationStatus {
    const record = this.read(id);
    if (!record) throw new NotFoundError(`unknown operation "${id}" (never started by this data directory)`);
    if (this.interrupted(record)) {
      this.launch(record);
      return { state: 'RUNNING' };
    }
    if (record.state === 'SUCCEEDED') return { state: 'SUCCEEDED', ref: record.ref };
    if (record.state === 'FAILED') return { state: 'FAILED', reason: record.reason };
    return { state: 'RUNNING' };
  }

  /** The operation runs in this process now (a held poll waits on this, poll-hold.ts). */
  running(id: string): boolean {
    return this.inflight.has(id);
  }

  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.values()]);
  }

  private interrupted(record: OperationRecord): boolean {
    if (record.state !== 'RUNNING' || this.inflight.has(record.operation.id)) return false;
    return record.pid === process.pid || !isAlive(record.pid);
  }

  private launch(record: OperationRecord): void {
    const id = record.operation.id;
    const running: OperationRecord = { ...record, state: 'RUNNING', pid: process.pid, reason: undefined };
    this.write(running);
    const work = Promise.resolve()
      .then(() => this.runner(running))
      .then(
        (ref) => this.write({ ...running, state: 'SUCCEEDED', ref }),
        (error: Error) =>
          this.write({ ...running, state: 'FAILED', reason: `${error.name}: ${error.message}` }),
      )
      .finally(() => this.inflight.delete(id));
    this.inflight.set(id, work);
  }

  private read(id: string): OperationRecord | undefined {
    return readJson<OperationRecord>(this.file(id));
  }

  private write(record: OperationRecord): void {
    writeJson(this.file(record.operation.id), record);
  }

  private file(id: string): string {
    fs.mkdirSync(this.dir, { recursive: true });
    return path.join(this.dir, `${id}.json`);
  }
}

// The labels without ttl (requestLabels): a start re-invoked after a restart computes a later one.
function fingerprint(r: Pick<OperationRecord, 'operation' | 'labels' | 'snapshot'>): string {
  const labels = r.labels ? requestLabels(r.labels) : null;
  return JSON.stringify([r.operation.kind, r.operation.resource, labels, r.snapshot?.name ?? null]);
}
