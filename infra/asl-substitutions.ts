import { readFileSync } from 'node:fs';
import { placeholdersIn } from '../statemachines/placeholders.js';

/**
 * The ASL takes its resources as `${Name}` placeholders (DefinitionSubstitutions). CloudFormation
 * leaves an unknown placeholder in place and Step Functions then rejects the definition at deploy
 * time, far from the cause, so synth checks every placeholder is bound instead.
 */

export function readDefinition(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the state machine definition ${path}: ${(error as Error).message}`);
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  return text;
}

/** Placeholders in the definition that `bindings` does not bind. */
export function unboundPlaceholders(
  definition: string,
  bindings: Readonly<Record<string, unknown>>,
): string[] {
  return placeholdersIn(definition).filter((name) => !Object.hasOwn(bindings, name));
}

/** One line for synth: which placeholders are missing and where to bind them. */
export function describeUnbound(path: string, unbound: readonly string[]): string {
  return (
    `${path} uses unbound placeholder(s) ${unbound.map((n) => `\${${n}}`).join(', ')}; ` +
    'declare the task in statemachines/pipeline.ts (the task list is read from it) or add a resource binding in TollgatePipeline'
  );
}

/**
 * The ASL writes its Lambda integrations as `arn:aws:states:::lambda:invoke[.waitForTaskToken]`,
 * which the local engine reads as is. In the stack each becomes a whole-value placeholder (as
 * `${BuildResource}` is) bound to the ARN in the stack's partition (aws-cn, aws-us-gov): a value
 * that is one placeholder is also what cfn-lint's definition check accepts.
 */
const INTEGRATION_PLACEHOLDERS: Readonly<Record<string, string>> = {
  'lambda:invoke': 'LambdaInvokeResource',
  'lambda:invoke.waitForTaskToken': 'LambdaInvokeWaitForTaskTokenResource',
};
const AWS_INTEGRATION = /"arn:aws:states:::([A-Za-z0-9:.]+)"/g;

/** The definition with every `arn:aws:states:::…` integration replaced by its placeholder. */
export function inStackPartition(definition: string): string {
  return definition.replace(AWS_INTEGRATION, (_, integration: string) => {
    const name = INTEGRATION_PLACEHOLDERS[integration];
    if (!name)
      throw new Error(
        `the definition uses arn:aws:states:::${integration}, which infra/asl-substitutions.ts cannot put in the stack's partition; add it to INTEGRATION_PLACEHOLDERS`,
      );
    return `"\${${name}}"`;
  });
}

/** The placeholder bindings of the integrations, in `partition`. */
export function integrationBindings(partition: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(INTEGRATION_PLACEHOLDERS).map(([integration, name]) => [
      name,
      `arn:${partition}:states:::${integration}`,
    ]),
  );
}

export interface StackBindingInput {
  /** Function ARN per task, keyed by the task's `${Placeholder}` name from functions/task-registry.ts. */
  readonly functionArnsByPlaceholder: Readonly<Record<string, string>>;
  readonly partition: string;
  readonly buildProjectName: string;
  readonly pipelineName: string;
}

/**
 * Everything the AWS stack can bind. The local runtime's table (runtime/function-runner) binds the
 * same names to local ARNs; a test can compare the two key sets without synthesizing a stack.
 */
export function stackBindings(input: StackBindingInput): Record<string, string> {
  return {
    ...input.functionArnsByPlaceholder,
    BuildResource: `arn:${input.partition}:states:::codebuild:startBuild.sync`,
    CodeBuildProjectName: input.buildProjectName,
    PipelineName: input.pipelineName,
  };
}
