import { readFileSync } from 'node:fs';

/**
 * The ASL takes its resources as `${Name}` placeholders (DefinitionSubstitutions). CloudFormation
 * leaves an unknown placeholder in place and Step Functions then rejects the definition at deploy
 * time, far from the cause, so synth checks every placeholder is bound instead.
 */
const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

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

/** Distinct placeholder names in the definition, sorted. */
export function placeholdersIn(definition: string): string[] {
  return [...new Set([...definition.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
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
    'add a task to functions/task-registry.ts or a resource binding in TollgatePipeline'
  );
}

/** The placeholder the stack puts in place of the partition of every service-integration ARN. */
export const INTEGRATION_PARTITION = 'IntegrationPartition';
const AWS_INTEGRATION = /("Resource"\s*:\s*")arn:aws:states:::/g;

/**
 * The ASL writes its service integrations as `arn:aws:states:::lambda:invoke`, which the local
 * engine reads as is; in the stack they must be in the stack's partition (aws-cn, aws-us-gov),
 * so each becomes `arn:${IntegrationPartition}:states:::…`, bound to `AWS::Partition`.
 */
export function inStackPartition(definition: string): string {
  return definition.replace(AWS_INTEGRATION, `$1arn:\${${INTEGRATION_PARTITION}}:states:::`);
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
