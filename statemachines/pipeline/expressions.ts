/** JSONata the pipeline's states share: what a task is told about its run and environment. */
export const PIPELINE = '{% $plan.pipeline %}';
export const COMMIT = '{% $commit %}';
export const RELEASE = '{% $release %}';
const ENVIRONMENT = '{% $env.name %}';
export const STARTED_AT = '{% $states.context.Execution.StartTime %}';
export const PAYLOAD = '{% $states.result.Payload %}';
/** Passes the state's input through: the task's result is kept out of the Map iteration's data. */
export const UNCHANGED = '{% $states.input %}';
export const NEXT_POLL = '{% $pollAttempt + 1 %}';

/** The payload of a task inside the environments Map: pipeline, environment, then its own fields. */
export function inEnvironment(fields: Record<string, string>): Record<string, string> {
  return { pipeline: PIPELINE, environment: ENVIRONMENT, ...fields };
}
