import { ImmutableConflictError, TollgateError } from '../shared/errors.js';
import type { ArtifactStore } from '../shared/ports/artifact-store.js';
import { sequenceKey, sequencePrefix } from './release-keys.js';

/** Who claims a sequence number. Deterministic per run, so a re-invoked run recognises its own claim. */
export interface SequenceClaim {
  readonly executionArn: string;
  readonly stateName: string;
  readonly commit: string;
}

const MAX_ATTEMPTS = 50;
const SEQUENCE_NAME = /^\d{10}$/;

/**
 * Claims the next release number for a pipeline. Each number is an immutable object, so two runs
 * racing for the same number cannot both win: the loser gets ImmutableConflictError and tries the
 * next one. Numbers only ever grow; a run that crashes after claiming leaves a gap, never a reuse.
 */
export async function claimSequence(
  artifacts: ArtifactStore,
  pipeline: string,
  claim: SequenceClaim,
): Promise<number> {
  const body = JSON.stringify({
    executionArn: claim.executionArn,
    stateName: claim.stateName,
    commit: claim.commit,
  });
  const prefix = sequencePrefix(pipeline);
  const highest = (await artifacts.list(prefix))
    .map((key) => key.slice(prefix.length))
    .filter((name) => SEQUENCE_NAME.test(name))
    .reduce((max, name) => Math.max(max, Number(name)), 0);
  // A crash between claiming and recording the run: the newest claim may already be ours.
  if (highest > 0 && (await artifacts.getText(sequenceKey(pipeline, highest))) === body) return highest;
  for (let n = highest + 1; n <= highest + MAX_ATTEMPTS; n++) {
    try {
      await artifacts.putImmutable(sequenceKey(pipeline, n), body, 'application/json');
      return n; // created, or the same body already there: either way it is this run's number
    } catch (error) {
      if (error instanceof ImmutableConflictError) continue;
      throw error;
    }
  }
  throw new TollgateError(
    `could not claim a release number for ${pipeline} after ${MAX_ATTEMPTS} attempts; too many concurrent registrations`,
  );
}
