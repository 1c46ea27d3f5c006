import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { FileApprovalStore } from '../../../../../../functions/shared/adapters/local/file-approval-store.js';
import { approvalStoreContract } from '../../ports/approval-store.contract.js';

describe('FileApprovalStore', () => {
  approvalStoreContract('FileApprovalStore', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-approvals-'));
    return { store: new FileApprovalStore(dir), other: new FileApprovalStore(dir) };
  });
});
