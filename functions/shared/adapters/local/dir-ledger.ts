import { mkdirSync } from 'node:fs';
import { appendFile, open, readFile, stat, truncate } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidInputError, TollgateError } from '../../errors.js';
import { matchesFilter, validateEntry } from '../../ledger/ledger-entry.js';
import type { Ledger, LedgerEntry, LedgerFilter, StoredLedgerEntry } from '../../ports/ledger.js';

/**
 * The local ledger: one append-only JSON-lines file, fsync'd per append, under `.tollgate/ledger/`.
 * Appends are serialised in-process; the runtime is the only writer (it holds the data-directory
 * lock), while the CLI and console only read. A torn last line (crash mid-append) is ignored on
 * read and overwritten by nothing: the next append starts on a fresh line.
 */
export class DirLedger implements Ledger {
  private readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();
  private loaded?: { entries: StoredLedgerEntry[]; keys: Map<string, number> };

  constructor(rootDir: string) {
    if (typeof rootDir !== 'string' || !rootDir.trim())
      throw new InvalidInputError('DirLedger needs a root directory');
    const root = resolve(rootDir);
    mkdirSync(root, { recursive: true });
    this.file = join(root, 'ledger.jsonl');
  }

  append(entry: LedgerEntry): Promise<{ seq: number; created: boolean }> {
    try {
      validateEntry(entry);
    } catch (error) {
      return Promise.reject(error);
    }
    const next = this.chain.catch(() => undefined).then(() => this.appendLocked(entry));
    this.chain = next;
    return next;
  }

  async query(filter: LedgerFilter = {}): Promise<StoredLedgerEntry[]> {
    await this.chain.catch(() => undefined);
    const { entries } = await this.load(true);
    return entries.filter((e) => matchesFilter(e, filter));
  }

  private async appendLocked(entry: LedgerEntry): Promise<{ seq: number; created: boolean }> {
    const state = await this.load(false);
    const existing = state.keys.get(entry.idempotencyKey);
    if (existing !== undefined) return { seq: existing, created: false };
    const stored: StoredLedgerEntry = { ...entry, seq: state.entries.length + 1 };
    const before = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    try {
      // Leading newline: if a previous append was torn, this entry still starts on its own line.
      await appendFile(this.file, `\n${JSON.stringify(stored)}`);
      const handle = await open(this.file, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw await this.undo(before, error);
    }
    state.entries.push(stored);
    state.keys.set(stored.idempotencyKey, stored.seq);
    return { seq: stored.seq, created: true };
  }

  /**
   * A failed append (a full disk, most likely) may have left all or part of its line in the file.
   * Cutting the file back to its size before the append means a retry of the same entry is not
   * recorded twice, and the next append, once there is space, works without a restart.
   */
  private async undo(size: number, error: unknown): Promise<Error> {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    await truncate(this.file, size).catch(() => {
      this.loaded = undefined; // could not cut back: re-read, so a retry finds its own entry
    });
    return new TollgateError(
      `could not append to the ledger ${this.file} (${code}); nothing was recorded, free space and retry`,
      { cause: error },
    );
  }

  /** Reads from disk on queries (other processes may have appended) and caches for appends. */
  private async load(fresh: boolean) {
    if (this.loaded && !fresh) return this.loaded;
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const entries: StoredLedgerEntry[] = [];
    const keys = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (!line) continue;
      let parsed: StoredLedgerEntry;
      try {
        parsed = JSON.parse(line) as StoredLedgerEntry;
      } catch {
        continue; // a torn line from a crash mid-append; its append never resolved
      }
      entries.push({ ...parsed, seq: entries.length + 1 });
      keys.set(parsed.idempotencyKey, entries.length);
    }
    this.loaded = { entries, keys };
    return this.loaded;
  }
}
