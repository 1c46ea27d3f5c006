import { describe, expect, it } from 'vitest';
import { type KillPlan, runWithKill } from '../support/pipeline-crash-campaign.js';

/**
 * Kills the real runtime (`tollgate up` as a child process) once during a full pipeline run with
 * data refresh, masking, an approval gate and deploys, restarts it on the same data directory, and
 * checks the run ends as it does without the kill. `npm test` runs a sample of kill points sized for
 * CI; TOLLGATE_CRASH_FULL=1 (or `npm run bench -- reliability`) kills at every state.
 */
const SAMPLE: readonly KillPlan[] = [
  { afterStates: 20, signal: 'SIGKILL' },
  { afterStates: 45, signal: 'SIGTERM', duringRecovery: true },
  // The finding that started this: a clean stop while prod waits at its gate.
  { atGate: true, signal: 'SIGTERM' },
];

describe('a pipeline run killed once', () => {
  it.each(SAMPLE)(
    'ends as without the kill (%o)',
    async (plan) => {
      // Act
      const result = await runWithKill(plan);

      // Assert
      expect(result.killedAt).toBeDefined();
      expect(result.status, result.failure).toBe('SUCCEEDED');
      expect(result.immutableConflicts).toBe(0);
      expect(result.unmasked).toEqual([]);
      expect(result.mapStarts).toBe(1);
    },
    400_000,
  );
});
