import { describe, expect, it } from 'vitest';
import { extractEvidence } from '../../../model/evidence.js';
import { evidenceLine } from '../../../model/evidence-line.js';

describe('evidenceLine', () => {
  it('returns the checks of a smoke test result with their marks and HTTP statuses', () => {
    // Arrange
    const result = {
      passed: false,
      checks: [
        { name: 'GET /health', ok: true, status: 200 },
        { name: 'GET /orders', ok: false, status: 500 },
      ],
    };
    // Act
    const line = evidenceLine(extractEvidence(result));
    // Assert
    expect(line).toBe('✓ GET /health 200; ✗ GET /orders 500');
  });

  it('returns the migrations applied and the release registered, read the way the console reads them', () => {
    // Arrange
    const migrated = { applied: [{ version: 3, name: 'add_notes' }], skipped: [] };
    const registered = { version: 'r14', digest: 'sha256:0123456789abcdef0123', artifactKey: 'k' };
    // Act
    const lines = [evidenceLine(extractEvidence(migrated)), evidenceLine(extractEvidence(registered))];
    // Assert
    expect(lines).toEqual(['applied 3 add_notes', 'version r14 digest sha256:0123456789ab']);
  });

  it('returns an empty line when the result carries no evidence', () => {
    // Act
    const line = evidenceLine(extractEvidence({ ok: true }));
    // Assert
    expect(line).toBe('');
  });
});
