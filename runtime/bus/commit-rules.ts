import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import { commitEventPatterns } from '../../infra/event-patterns.js';
import type { BusRule } from './event-bus.js';

/**
 * The local bus's rules for a config: the very pattern objects the CDK stack puts on its
 * EventBridge rules, named by the same ids, so both modes start runs for exactly the same events.
 */
export function commitRules(config: Pick<TollgateConfig, 'source'>): BusRule[] {
  return Object.entries(commitEventPatterns(config)).map(([name, eventPattern]) => ({ name, eventPattern }));
}
