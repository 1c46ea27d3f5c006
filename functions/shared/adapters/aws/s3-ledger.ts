import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InvalidInputError, TollgateError } from '../../errors.js';
import { matchesFilter, validateEntry } from '../../ledger/ledger-entry.js';
import type { Ledger, LedgerEntry, LedgerFilter, StoredLedgerEntry } from '../../ports/ledger.js';
import { isConditionalConflict, isNotFound, isPreconditionFailed } from './s3-errors.js';

export interface S3LedgerOptions {
  readonly client: S3Client;
  /** A bucket created with Object Lock enabled (and versioning, which Object Lock requires). */
  readonly bucket: string;
  /** Key prefix, ending in "/". @default 'ledger/' */
  readonly prefix?: string;
  /** Each entry is locked in governance mode until its `at` plus this many seconds (config `ledger.retention`). */
  readonly retentionSeconds: number;
  /** Parallel GETs when reading entries not seen before. @default 16 */
  readonly readConcurrency?: number;
}

const SEQ_DIGITS = 12;
const CLAIM_ATTEMPTS = 100;

/**
 * The ledger on S3, one immutable object per entry, so it outlives the 90-day execution history.
 *
 * - Order: entry `n` lives at `entries/<n, 12 digits>.json`. An append claims the next number with
 *   PutObject `If-None-Match: *`, so S3 itself refuses a second writer on the same number (412) and
 *   the loser moves on to the next one; no lock service is needed.
 * - Immutability: every object is written with Object Lock GOVERNANCE and a retain-until date of
 *   `at + retention`. S3 refuses Object Lock puts without an integrity checksum, so each put carries
 *   `ChecksumSHA256` (the SDK turns it into x-amz-checksum-sha256).
 * - Idempotency: `idem/<sha256 of the key>` records the number an idempotency key got. Two appends
 *   racing on one key can both write an entry; the marker goes to one of them, and reads keep only
 *   the lowest-numbered entry per key, so the duplicate never shows.
 * - Reads list the entry keys and fetch only those not seen before: entries never change, so the
 *   instance caches them.
 */
export class S3Ledger implements Ledger {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly retentionMs: number;
  private readonly concurrency: number;
  private readonly cache = new Map<number, StoredLedgerEntry>();
  /** Entry numbers seen in listings, fetched or not. */
  private readonly listed = new Set<number>();
  private lastListedKey: string | undefined;
  private highest = 0;

  constructor(options: S3LedgerOptions) {
    if (!options?.client) throw new InvalidInputError('S3Ledger needs an S3 client');
    if (typeof options.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket))
      throw new InvalidInputError(`S3Ledger bucket "${options.bucket}" is not a valid S3 bucket name`);
    const prefix = options.prefix ?? 'ledger/';
    if (typeof prefix !== 'string' || (prefix !== '' && !/^[A-Za-z0-9!_.*'()/-]+\/$/.test(prefix)))
      throw new InvalidInputError(`S3Ledger prefix "${prefix}" must be empty or end with "/"`);
    if (!Number.isInteger(options.retentionSeconds) || options.retentionSeconds < 86_400)
      throw new InvalidInputError('S3Ledger retentionSeconds must be an integer of at least one day (86400)');
    const concurrency = options.readConcurrency ?? 16;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 128)
      throw new InvalidInputError('S3Ledger readConcurrency must be an integer between 1 and 128');
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = prefix;
    this.retentionMs = options.retentionSeconds * 1000;
    this.concurrency = concurrency;
  }

  async append(entry: LedgerEntry): Promise<{ seq: number; created: boolean }> {
    validateEntry(entry);
    const marker = this.markerKey(entry.idempotencyKey);
    const known = await this.readMarker(marker);
    if (known !== undefined) return { seq: known, created: false };
    const retainUntil = new Date(Date.parse(entry.at) + this.retentionMs);
    const seq = await this.claim(entry, retainUntil);
    try {
      await this.putLocked(marker, String(seq), retainUntil);
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      // Another append with the same key got there first; reads show only the lower of the two.
      const winner = (await this.readMarker(marker)) ?? seq;
      return { seq: Math.min(winner, seq), created: false };
    }
    return { seq, created: true };
  }

  async query(filter: LedgerFilter = {}): Promise<StoredLedgerEntry[]> {
    await this.refresh();
    const seen = new Set<string>();
    const out: StoredLedgerEntry[] = [];
    for (const seq of [...this.cache.keys()].sort((a, b) => a - b)) {
      const entry = this.cache.get(seq) as StoredLedgerEntry;
      if (seen.has(entry.idempotencyKey)) continue;
      seen.add(entry.idempotencyKey);
      if (matchesFilter(entry, filter)) out.push(entry);
    }
    return out;
  }

  private async claim(entry: LedgerEntry, retainUntil: Date): Promise<number> {
    await this.listNew();
    let seq = this.highest + 1;
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const stored: StoredLedgerEntry = { ...entry, seq };
      try {
        await this.putLocked(this.entryKey(seq), JSON.stringify(stored), retainUntil);
        this.highest = Math.max(this.highest, seq);
        this.cache.set(seq, stored);
        this.listed.add(seq);
        return seq;
      } catch (error) {
        if (isPreconditionFailed(error)) {
          await this.listNew();
          seq = Math.max(seq + 1, this.highest + 1);
        } else if (!isConditionalConflict(error)) {
          throw error;
        }
      }
    }
    throw new TollgateError(
      `could not claim a ledger position after ${CLAIM_ATTEMPTS} attempts; too many writers`,
    );
  }

  private async putLocked(key: string, body: string, retainUntil: Date): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        IfNoneMatch: '*',
        ObjectLockMode: 'GOVERNANCE',
        ObjectLockRetainUntilDate: retainUntil,
        ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
      }),
    );
  }

  /** Fetches every listed entry not read before; entries never change, so the cache is never stale. */
  private async refresh(): Promise<void> {
    await this.listNew();
    const missing = [...this.listed].filter((seq) => !this.cache.has(seq));
    for (let i = 0; i < missing.length; i += this.concurrency) {
      const batch = missing.slice(i, i + this.concurrency);
      const entries = await Promise.all(batch.map((seq) => this.readEntry(seq)));
      batch.forEach((seq, j) => {
        this.cache.set(seq, entries[j]);
      });
    }
  }

  /**
   * Lists entry keys after the last one seen. Numbers are claimed in order (a writer only tries `n`
   * once `n - 1` exists), so no lower key can appear behind the listing's StartAfter.
   */
  private async listNew(): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${this.prefix}entries/`,
          ...(token
            ? { ContinuationToken: token }
            : this.lastListedKey
              ? { StartAfter: this.lastListedKey }
              : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        const seq = this.seqOf(object.Key);
        if (seq === undefined) continue;
        this.listed.add(seq);
        this.highest = Math.max(this.highest, seq);
        if (!this.lastListedKey || (object.Key as string) > this.lastListedKey)
          this.lastListedKey = object.Key;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private async readEntry(seq: number): Promise<StoredLedgerEntry> {
    const text = await this.getText(this.entryKey(seq));
    if (text === undefined) throw new TollgateError(`ledger entry ${seq} was listed but cannot be read`);
    const parsed = JSON.parse(text) as StoredLedgerEntry;
    return { ...parsed, seq };
  }

  private async readMarker(key: string): Promise<number | undefined> {
    const text = await this.getText(key);
    return text === undefined ? undefined : Number(text);
  }

  private async getText(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private entryKey(seq: number): string {
    return `${this.prefix}entries/${String(seq).padStart(SEQ_DIGITS, '0')}.json`;
  }

  private seqOf(key: string | undefined): number | undefined {
    const match = key ? /(\d{12})\.json$/.exec(key) : null;
    return match ? Number(match[1]) : undefined;
  }

  private markerKey(idempotencyKey: string): string {
    return `${this.prefix}idem/${createHash('sha256').update(idempotencyKey).digest('hex')}`;
  }
}
