import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { substitute } from '../../statemachines/placeholders.js';
import type { AwsJsonService } from '../api/aws-service.js';
import { localSubstitutions } from '../function-runner/local-substitutions.js';

export const PIPELINE_ASL = fileURLToPath(new URL('../../statemachines/pipeline.asl.json', import.meta.url));
const LOCAL_ROLE = 'arn:aws:iam::000000000000:role/tollgate-pipeline';

/** The local state machine's name for a pipeline; the CLI finds runs by it. */
export function pipelineStateMachineName(pipeline: string): string {
  return `tollgate-${pipeline}`;
}

/**
 * Puts the pipeline ASL (with the local substitutions) into the engine: Create on first start,
 * Update afterwards, so a changed ASL takes effect for new runs while open runs keep the definition
 * they started with (as on AWS).
 */
export async function deployPipeline(
  engine: AwsJsonService,
  pipeline: string,
  aslPath = PIPELINE_ASL,
): Promise<{ stateMachineArn: string; action: 'created' | 'updated' }> {
  const definition = substitute(readFileSync(aslPath, 'utf8'), localSubstitutions());
  const name = pipelineStateMachineName(pipeline);
  const existing = await findStateMachine(engine, name);
  if (existing) {
    await engine.dispatch('UpdateStateMachine', { stateMachineArn: existing, definition });
    return { stateMachineArn: existing, action: 'updated' };
  }
  const created = (await engine.dispatch('CreateStateMachine', {
    name,
    definition,
    roleArn: LOCAL_ROLE,
    type: 'STANDARD',
  })) as { stateMachineArn: string };
  return { stateMachineArn: created.stateMachineArn, action: 'created' };
}

async function findStateMachine(engine: AwsJsonService, name: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = (await engine.dispatch('ListStateMachines', nextToken ? { nextToken } : {})) as {
      stateMachines: Array<{ name: string; stateMachineArn: string }>;
      nextToken?: string;
    };
    const found = page.stateMachines.find((sm) => sm.name === name);
    if (found) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}
