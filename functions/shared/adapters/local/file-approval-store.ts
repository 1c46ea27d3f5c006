import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  applyChange,
  pendingRecord,
  reopenedRecord,
  validateNewApproval,
} from '../../approvals/apply-change.js';
import { assertApprovalId, assertToken, tokenHash } from '../../approvals/approval-id.js';
import { InvalidInputError, LockConflictError, NotFoundError } from '../../errors.js';
import type {
  ApprovalChange,
  ApprovalRecord,
  ApprovalStore,
  CreatePendingResult,
  NewApproval,
} from '../../ports/approval-store.js';
import { FileLockTable } from './file-lock-table.js';

/**
 * Approvals under `.tollgate/approvals/`: `records/<id>.json` is what the console and CLI read;
 * `tokens/<id>` holds the task token, mode 0600 in a 0700 directory, and is read only by the
 * approve, cancel and timeout paths. Records change by compare-and-swap through FileLockTable.
 */
export class FileApprovalStore implements ApprovalStore {
  private readonly records: FileLockTable;
  private readonly recordDir: string;
  private readonly tokenDir: string;

  constructor(rootDir: string) {
    if (typeof rootDir !== 'string' || !rootDir.trim())
      throw new InvalidInputError('FileApprovalStore needs a root directory');
    const root = resolve(rootDir);
    this.recordDir = join(root, 'records');
    this.tokenDir = join(root, 'tokens');
    this.records = new FileLockTable(this.recordDir);
  }

  async createPending(approval: NewApproval, token: string): Promise<CreatePendingResult> {
    validateNewApproval(approval);
    assertToken(token);
    const hash = tokenHash(token);
    const existing = await this.get(approval.id);
    if (!existing) {
      // Token first: a crash in between leaves an orphan token file, never a record without one.
      await this.writeToken(approval.id, token);
      try {
        await this.records.put(approval.id, pendingRecord(approval, hash), 0);
        return { record: pendingRecord(approval, hash), created: true, tokenReplaced: false };
      } catch (error) {
        if (!(error instanceof LockConflictError)) throw error;
        return this.createPending(approval, token); // a concurrent create won; treat as re-invocation
      }
    }
    const reopen = existing.status === 'closed';
    if (!reopen && (existing.status !== 'pending' || existing.tokenHash === hash)) {
      return { record: existing, created: false, tokenReplaced: false };
    }
    await this.writeToken(approval.id, token);
    const record: ApprovalRecord = reopen
      ? reopenedRecord(existing, approval, hash)
      : { ...existing, tokenHash: hash, revision: existing.revision + 1 };
    await this.records.put(approval.id, record, existing.revision);
    return { record, created: false, tokenReplaced: true };
  }

  async get(id: string): Promise<ApprovalRecord | undefined> {
    assertApprovalId(id);
    const stored = await this.records.get<ApprovalRecord>(id);
    return stored ? { ...stored.value, revision: stored.version } : undefined;
  }

  async listPending(filter: { readonly executionArn?: string } = {}): Promise<ApprovalRecord[]> {
    const names = await readdir(this.recordDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const records: ApprovalRecord[] = [];
    for (const name of names) {
      const id = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
      if (!/^apr-[0-9a-f]{24}$/.test(id)) continue; // temp and mutex files
      const record = await this.get(id);
      if (record?.status !== 'pending') continue;
      if (filter.executionArn !== undefined && record.executionArn !== filter.executionArn) continue;
      records.push(record);
    }
    return records.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id));
  }

  async update(id: string, expectedRevision: number, change: ApprovalChange): Promise<ApprovalRecord> {
    const current = await this.get(id);
    if (!current) throw new NotFoundError(`approval ${id} does not exist`);
    if (current.revision !== expectedRevision) {
      throw new LockConflictError(
        `approval ${id} is at revision ${current.revision}, not ${expectedRevision}`,
      );
    }
    const next = applyChange(current, change);
    await this.records.put(id, next, expectedRevision);
    return next;
  }

  async readToken(id: string): Promise<string | undefined> {
    assertApprovalId(id);
    return readFile(join(this.tokenDir, id), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
  }

  async discardToken(id: string): Promise<void> {
    assertApprovalId(id);
    await unlink(join(this.tokenDir, id)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  private async writeToken(id: string, token: string): Promise<void> {
    await mkdir(this.tokenDir, { recursive: true, mode: 0o700 });
    const temp = join(this.tokenDir, `.${id}.${randomUUID()}.tmp`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(token);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(this.tokenDir, id));
  }
}
