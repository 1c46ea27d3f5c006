import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3Ledger } from '../../../../../../functions/shared/adapters/aws/s3-ledger.js';
import { FakeS3Ledger } from '../../../../../support/fake-s3-ledger.js';
import { ledgerContract, ledgerEntry } from '../../ports/ledger.contract.js';

const YEAR = 365 * 86_400;
const open = () => new S3Ledger({ client: new S3Client({}), bucket: 'ledger', retentionSeconds: 7 * YEAR });

describe('S3Ledger', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => {
    s3.reset();
  });

  ledgerContract('S3Ledger', async () => {
    new FakeS3Ledger('ledger', 3).install(s3);
    return { ledger: open(), reopen: open };
  });

  it('locks every object in governance mode until the entry time plus the retention, with a SHA-256 checksum', async () => {
    // Arrange
    new FakeS3Ledger('ledger').install(s3);
    // Act
    await open().append(ledgerEntry(1, { at: '2026-03-01T10:00:00.000Z' }));
    // Assert
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(2);
    for (const put of puts) {
      expect(put).toMatchObject({ IfNoneMatch: '*', ObjectLockMode: 'GOVERNANCE' });
      expect(put.ObjectLockRetainUntilDate).toEqual(
        new Date(Date.parse('2026-03-01T10:00:00.000Z') + 7 * YEAR * 1000),
      );
      expect(put.ChecksumSHA256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
    expect(puts.map((p) => p.Key)).toEqual([
      'ledger/entries/000000000001.json',
      expect.stringMatching(/^ledger\/idem\/[0-9a-f]{64}$/),
    ]);
  });

  it('moves to the next position when another writer claimed the one it listed', async () => {
    // Arrange
    new FakeS3Ledger('ledger').install(s3);
    const a = open();
    const b = open();
    await a.query(); // a has listed an empty ledger
    await b.append(ledgerEntry(1));
    // Act
    const result = await a.append(ledgerEntry(2));
    // Assert
    expect(result).toEqual({ seq: 2, created: true });
    expect((await open().query()).map((e) => [e.seq, e.data.n])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('shows one entry when two instances race to append the same idempotency key', async () => {
    // Arrange
    new FakeS3Ledger('ledger').install(s3);
    // Act
    const results = await Promise.all([open().append(ledgerEntry(1)), open().append(ledgerEntry(1))]);
    // Assert
    const entries = await open().query();
    expect(entries).toHaveLength(1);
    expect(results.map((r) => r.seq)).toContain(entries[0].seq);
  });

  it('keeps entries when someone tries to delete them without bypassing governance retention', async () => {
    // Arrange
    new FakeS3Ledger('ledger').install(s3);
    await open().append(ledgerEntry(1, { at: new Date().toISOString() }));
    // Act
    const deletion = new S3Client({}).send(
      new DeleteObjectCommand({ Bucket: 'ledger', Key: 'ledger/entries/000000000001.json' }),
    );
    // Assert
    await expect(deletion).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(await open().query()).toHaveLength(1);
  });

  it('refuses a retention shorter than a day, a bad bucket or a bad prefix', () => {
    const client = new S3Client({});
    expect(() => new S3Ledger({ client, bucket: 'ledger', retentionSeconds: 60 })).toThrow(
      /at least one day/,
    );
    expect(() => new S3Ledger({ client, bucket: 'Bad_Bucket', retentionSeconds: YEAR })).toThrow(
      /not a valid S3 bucket/,
    );
    expect(() => new S3Ledger({ client, bucket: 'ledger', prefix: 'x', retentionSeconds: YEAR })).toThrow(
      /end with "\/"/,
    );
  });
});
