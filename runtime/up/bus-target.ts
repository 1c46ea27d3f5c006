import { AwsApiError, type AwsJsonService } from '../api/aws-service.js';
import type { BusRule, EventEnvelope } from '../bus/index.js';

/**
 * The rule target: a matched commit event starts the pipeline, named after the event id. The bus
 * delivers at least once, so a redelivery after a crash finds the execution already there and
 * counts as done; the run is never started twice.
 */
export function startExecutionTarget(engine: AwsJsonService, stateMachineArn: () => string) {
  return async (_rule: BusRule, event: EventEnvelope): Promise<void> => {
    try {
      await engine.dispatch('StartExecution', {
        stateMachineArn: stateMachineArn(),
        name: event.id,
        input: JSON.stringify(event),
      });
    } catch (error) {
      if (error instanceof AwsApiError && error.code === 'ExecutionAlreadyExists') return;
      throw error;
    }
  };
}
