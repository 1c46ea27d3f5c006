import { randomUUID } from 'node:crypto';
import type { ReleaseMetadata } from '../shared/release.js';

/** Who asked to deploy which release where, and why: what the run carries as `commit.redeploy`. */
export interface RedeployAsk {
  readonly release: string;
  readonly environment: string;
  readonly skipEarlier: boolean;
  readonly reason: string;
  readonly requestedBy: string;
  /** `tollgate retry`: the failed run this one retries, from `environment` onwards. */
  readonly retryOf?: string;
}

/**
 * The input a redeploy run starts from (`tollgate deploy`, the console's "Deploy to …"): the
 * release's commit as a commit event would carry it, plus the request. Normalize in
 * statemachines/pipeline.ts reads exactly this source and detail-type.
 */
export function redeployEvent(release: ReleaseMetadata, ask: RedeployAsk, now: Date) {
  return {
    version: '0',
    id: randomUUID(),
    source: 'tollgate.cli',
    'detail-type': 'Redeploy Requested',
    time: now.toISOString(),
    detail: {
      repository: release.repository,
      branch: release.branch,
      commit: release.commit,
      author: release.author,
      message: release.message,
      timestamp: release.commitTime,
      redeploy: ask,
    },
  };
}
