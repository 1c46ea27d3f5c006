import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { DirLedger } from '../../../../../../functions/shared/adapters/local/dir-ledger.js';
import { ledgerContract } from '../../ports/ledger.contract.js';

describe('DirLedger', () => {
  ledgerContract('DirLedger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-ledger-'));
    return { ledger: new DirLedger(dir), reopen: () => new DirLedger(dir) };
  });
});
