import { createHash } from 'node:crypto';

/**
 * Where a pipeline's releases live in the ArtifactStore. Other tasks (promote, rollback, the
 * console's reader) find a release's metadata by version through `releaseMetadataKey`.
 */
export const releaseMetadataKey = (pipeline: string, version: string) =>
  `releases/${pipeline}/${version}.json`;

/** Zero-padded so the store's lexicographic listing is also numeric order. */
export const sequenceKey = (pipeline: string, sequence: number) =>
  `releases/${pipeline}/seq/${String(sequence).padStart(10, '0')}`;

export const sequencePrefix = (pipeline: string) => `releases/${pipeline}/seq/`;

/** One record per (execution, state): what makes a re-invoked task find its own release again. */
export const runRecordKey = (pipeline: string, executionArn: string, stateName: string) =>
  `releases/${pipeline}/by-run/${createHash('sha256').update(`${executionArn}\n${stateName}`).digest('hex')}.json`;

/** The release a commit got first; a later run of the same commit reuses it instead of making another. */
export const releaseByCommitKey = (pipeline: string, commit: string) =>
  `releases/${pipeline}/by-commit/${commit}.json`;

export const releaseVersion = (sequence: number, commit: string) => `r${sequence}-${commit.slice(0, 7)}`;

export const releaseTag = (version: string) => `release-${version}`;
