import { randomUUID } from 'node:crypto';
import { AwsApiError } from '../../api/aws-service.js';
import { invalidDefinitionMessage } from '../../asl/definition/definition-errors.js';
import { validateDefinition } from '../../asl/definition/validate-definition.js';
import { ExecutionAbortedError, StatesErrorName } from '../../asl/errors/states-error.js';
import { type TestStateResult, TestStatus, testOneState } from '../../asl/test-state/test-one-state.js';
import { executionArn, mapRunArn, stateMachineArn } from '../arns.js';
import type { EngineCore } from '../engine-core.js';
import { MapRunRegistry } from '../map-run-registry.js';
import { asRequest, optionalEnum, optionalString, requireString } from '../request-fields.js';

const MAX_DEFINITION = 1_048_576;
const MAX_PAYLOAD = 262_144;
/** AWS ends a TestState call after five minutes with States.Timeout. */
const TEST_STATE_LIMIT_MS = 5 * 60_000;
const TEST_MACHINE = 'TestStateMachine';
/** Integration patterns TestState refuses, as AWS does: they would wait on something outside. */
const UNSUPPORTED_RESOURCE = /(\.sync(:2)?|\.waitForTaskToken)$|^arn:aws[a-z-]*:states:[^:]*:\d*:activity:/;

/**
 * `TestState`: runs one state with the given input, through the same interpreter as an
 * execution, and answers with its output or error, its next state and (DEBUG, TRACE) each
 * data-processing step. The definition is one state, or a whole state machine plus `stateName`.
 */
export async function testState(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  for (const field of ['mock', 'context', 'stateConfiguration']) {
    if (req[field] !== undefined && req[field] !== null) {
      throw new AwsApiError('ValidationException', `TestState's '${field}' is not supported by this engine`);
    }
  }
  const definitionText = requireString(req, 'definition', MAX_DEFINITION);
  const inspectionLevel = optionalEnum(req, 'inspectionLevel', ['INFO', 'DEBUG', 'TRACE'] as const) ?? 'INFO';
  const roleArn = optionalString(req, 'roleArn', 256) ?? `arn:aws:iam::${core.arn.accountId}:role/TestState`;
  const input = parseJson(optionalString(req, 'input', MAX_PAYLOAD) ?? '{}', 'input');
  const variables = parseJson(optionalString(req, 'variables', MAX_PAYLOAD) ?? '{}', 'variables');
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
    throw new AwsApiError('InvalidExecutionInput', 'Invalid variables: must be a JSON object');
  }
  const target = stateToTest(definitionText, optionalString(req, 'stateName', 80));
  const name = `test-${randomUUID()}`;
  const controller = new AbortController();
  const run = testOneState({
    ...target,
    input,
    variables: variables as Record<string, unknown>,
    services: {
      clock: core.clock,
      lambda: core.options.lambda,
      integrations: core.options.integrations ?? {},
      tokens: core.tokens,
      objects: core.options.objects,
      signal: controller.signal,
      region: core.arn.region,
      accountId: core.arn.accountId,
      executionArn: executionArn(core.arn, TEST_MACHINE, name),
      stateMachineArn: stateMachineArn(core.arn, TEST_MACHINE),
      newRequestId: () => randomUUID(),
      startMapRun: (start) =>
        // A run of its own, outside the engine's registry: TestState leaves nothing behind.
        new MapRunRegistry().start(
          {
            mapRunArn: mapRunArn(core.arn, TEST_MACHINE, start.label ?? randomUUID(), randomUUID()),
            executionArn: executionArn(core.arn, TEST_MACHINE, name),
            stateMachineArn: `${stateMachineArn(core.arn, TEST_MACHINE)}/${start.label ?? name}`,
          },
          start,
          () => core.clock.now(),
        ),
    },
    context: {
      Execution: {
        Id: executionArn(core.arn, TEST_MACHINE, name),
        Input: input,
        StartTime: new Date(core.clock.now()).toISOString(),
        Name: name,
        RoleArn: roleArn,
        RedriveCount: 0,
      },
      StateMachine: { Id: stateMachineArn(core.arn, TEST_MACHINE), Name: TEST_MACHINE },
    },
  });
  const result = await withinLimit(core, run, controller);
  return answer(result, inspectionLevel);
}

/** The state to run: the definition itself, or `stateName` (default StartAt) of a whole machine. */
function stateToTest(definitionText: string, stateName: string | undefined) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definitionText);
  } catch (err) {
    throw new AwsApiError(
      'InvalidDefinition',
      `Invalid State Machine Definition: '${(err as Error).message}'`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsApiError('InvalidDefinition', "Invalid State Machine Definition: 'must be a JSON object'");
  }
  const def = parsed as Record<string, unknown>;
  const machine = 'States' in def ? def : machineAround(def);
  const diagnostics = validateDefinition(JSON.stringify(machine));
  if (diagnostics.length > 0)
    throw new AwsApiError('InvalidDefinition', invalidDefinitionMessage(diagnostics));
  const states = machine.States as Record<string, Record<string, unknown>>;
  const name = 'States' in def ? (stateName ?? String(def.StartAt)) : 'TestState';
  const state = states[name];
  if (!state) {
    throw new AwsApiError('ValidationException', `State '${name}' is not defined in the definition`);
  }
  const resource = typeof state.Resource === 'string' ? state.Resource : '';
  if (state.Type === 'Task' && UNSUPPORTED_RESOURCE.test(resource)) {
    throw new AwsApiError(
      'InvalidDefinition',
      `Invalid State Machine Definition: 'TestState does not support activities, .sync or .waitForTaskToken: ${resource}'`,
    );
  }
  return {
    stateName: name,
    state,
    queryLanguage: typeof machine.QueryLanguage === 'string' ? machine.QueryLanguage : undefined,
  };
}

/**
 * One state is validated as the only state of a machine whose other states are the targets it
 * names (Next, Default, Choices, Catch), so its diagnostics carry AWS's codes and locations.
 */
function machineAround(state: Record<string, unknown>): Record<string, unknown> {
  const targets = new Set<string>();
  const add = (v: unknown) => typeof v === 'string' && v !== 'TestState' && targets.add(v);
  add(state.Next);
  add(state.Default);
  for (const list of [state.Choices, state.Catch]) {
    if (Array.isArray(list)) for (const entry of list) add((entry as Record<string, unknown>)?.Next);
  }
  const States: Record<string, unknown> = { TestState: state };
  for (const t of targets) States[t] = { Type: 'Succeed' };
  return {
    StartAt: 'TestState',
    States,
    ...(typeof state.QueryLanguage === 'string' ? { QueryLanguage: state.QueryLanguage } : {}),
  };
}

async function withinLimit(
  core: EngineCore,
  run: Promise<TestStateResult>,
  controller: AbortController,
): Promise<TestStateResult> {
  let timer: { cancel(): void } | undefined;
  const limit = new Promise<TestStateResult>((resolve) => {
    timer = core.clock.setTimer(core.clock.now() + TEST_STATE_LIMIT_MS, () => {
      controller.abort(new ExecutionAbortedError('TestState ran out of time'));
      resolve({ status: TestStatus.Failed, error: StatesErrorName.Timeout, inspection: {} });
    });
  });
  try {
    return await Promise.race([run, limit]);
  } finally {
    timer?.cancel();
  }
}

function answer(result: TestStateResult, level: 'INFO' | 'DEBUG' | 'TRACE') {
  return {
    ...(result.output !== undefined ? { output: result.output } : {}),
    ...(result.error !== undefined ? { error: result.error } : {}),
    ...(result.cause !== undefined ? { cause: result.cause } : {}),
    ...(level !== 'INFO' ? { inspectionData: result.inspection } : {}),
    ...(result.nextState !== undefined ? { nextState: result.nextState } : {}),
    status: result.status,
  };
}

function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AwsApiError('InvalidExecutionInput', `Invalid ${field}: ${(err as Error).message}`);
  }
}
