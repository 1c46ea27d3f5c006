import type { TollgateConfig } from '../functions/shared/config/schema.js';

/**
 * The EventBridge patterns that start a run, as plain JSON in EventBridge's own spelling
 * (`detail-type`, arrays of allowed values). The CDK rules and the local event bus load these same
 * objects, so both modes start runs for exactly the same events.
 */
export interface EventPattern {
  readonly source: readonly string[];
  readonly 'detail-type': readonly string[];
  readonly detail: Readonly<Record<string, readonly string[]>>;
}

type PatternSource = Pick<TollgateConfig, 'source'>;

/**
 * Tollgate's own event, put by the webhook, `tollgate push` and the git hook. Every branch of the
 * repository starts a run: plan-run turns a branch outside `source.branches` into a recorded skip,
 * so such a commit shows in the ledger and `tollgate runs` instead of vanishing at the rule.
 */
export function commitPushedPattern(config: PatternSource): EventPattern {
  return {
    source: ['tollgate.git'],
    'detail-type': ['Commit Pushed'],
    detail: { repository: [config.source.repository] },
  };
}

/**
 * CodeCommit's native event. Only branch heads that were created or moved start a run;
 * `referenceDeleted` names no commit to release. Any branch: one not configured ends as a recorded skip.
 */
export function codeCommitPattern(config: PatternSource): EventPattern {
  return {
    source: ['aws.codecommit'],
    'detail-type': ['CodeCommit Repository State Change'],
    detail: {
      event: ['referenceCreated', 'referenceUpdated'],
      referenceType: ['branch'],
      repositoryName: [config.source.repository],
    },
  };
}

/** Every pattern that starts a run, keyed by a stable id used for the rule names. */
export function commitEventPatterns(config: PatternSource): Readonly<Record<string, EventPattern>> {
  return {
    TollgateCommitPushed: commitPushedPattern(config),
    CodeCommitStateChange: codeCommitPattern(config),
  };
}
