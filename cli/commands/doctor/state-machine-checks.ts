import {
  DescribeStateMachineCommand,
  type SFNClient,
  ValidateStateMachineDefinitionCommand,
  type ValidateStateMachineDefinitionDiagnostic,
} from '@aws-sdk/client-sfn';
import { oneLine } from '../../client/cli-error.js';
import { type DoctorCheck, fail, ok, warn } from './doctor-check.js';

/**
 * The deployed pipeline state machine: DescribeStateMachine, then its definition as Step Functions
 * holds it (substitutions applied) through ValidateStateMachineDefinition. Synth and the local
 * engine validate the file before deploy; this asks the service itself about what it runs, so a
 * rule Step Functions added since the deploy, or a definition changed outside CDK, shows up here.
 */
export async function stateMachineChecks(sfn: SFNClient, stateMachineArn: string): Promise<DoctorCheck[]> {
  let described: { name: string; status: string; type: string; definition: string };
  try {
    const answer = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
    described = {
      name: answer.name ?? stateMachineArn,
      status: answer.status ?? 'ACTIVE',
      type: answer.type ?? 'STANDARD',
      definition: answer.definition ?? '',
    };
  } catch (error) {
    return [fail('aws-state-machine', `cannot describe ${stateMachineArn}: ${awsError(error)}`)];
  }
  const machine =
    described.status === 'ACTIVE'
      ? ok('aws-state-machine', `${described.name}: ${described.status}, ${described.type}`)
      : fail('aws-state-machine', `${described.name} is ${described.status}; redeploy the stack`);
  return [machine, ...(await definitionChecks(sfn, described.name, described.definition, described.type))];
}

async function definitionChecks(
  sfn: SFNClient,
  name: string,
  definition: string,
  type: string,
): Promise<DoctorCheck[]> {
  let answer: {
    result?: string;
    diagnostics?: ValidateStateMachineDefinitionDiagnostic[];
    truncated?: boolean;
  };
  try {
    answer = await sfn.send(
      new ValidateStateMachineDefinitionCommand({
        definition,
        type: type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
        // The default (ERROR) would hide warnings; doctor shows them without failing on them.
        severity: 'WARNING',
      }),
    );
  } catch (error) {
    return [fail('aws-definition', `cannot validate the definition of ${name}: ${awsError(error)}`)];
  }
  const diagnostics = answer.diagnostics ?? [];
  const checks = diagnostics.map((d) =>
    d.severity === 'ERROR'
      ? fail('aws-definition', diagnosticLine(d))
      : warn('aws-definition', diagnosticLine(d)),
  );
  if (answer.truncated)
    checks.push(
      warn('aws-definition', `more diagnostics than the ${diagnostics.length} returned (truncated)`),
    );
  if (answer.result === 'OK' && diagnostics.length === 0)
    return [ok('aws-definition', `the definition of ${name} validates (ValidateStateMachineDefinition: OK)`)];
  if (answer.result !== 'OK' && !checks.some((c) => c.status === 'fail'))
    checks.push(fail('aws-definition', `ValidateStateMachineDefinition: ${answer.result ?? 'no result'}`));
  return checks;
}

/** `ERROR SCHEMA_VALIDATION_FAILED at /States/Build/Next: …`, on one line whatever the message holds. */
function diagnosticLine(d: ValidateStateMachineDefinitionDiagnostic): string {
  const message = (d.message ?? '').replace(/\s+/g, ' ').trim();
  return `${d.severity ?? 'ERROR'} ${d.code ?? 'UNKNOWN'}${d.location ? ` at ${d.location}` : ''}: ${message}`;
}

/** An SDK error as `Name: first line` (the name says AccessDenied from NotFound). */
export function awsError(error: unknown): string {
  const name = (error as Error).name;
  const line = oneLine(error);
  return name && name !== 'Error' && !line.startsWith(name) ? `${name}: ${line}` : line;
}
