import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { FileLockTable } from '../../../../../../functions/shared/adapters/local/file-lock-table.js';
import { lockTableContract } from '../../ports/lock-table.contract.js';

describe('FileLockTable', () => {
  lockTableContract('FileLockTable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-locks-'));
    return { table: new FileLockTable(dir), other: new FileLockTable(dir) };
  });
});
