import { randomUUID } from 'node:crypto';
import { AwsApiError } from '../../api/aws-service.js';
import { invalidDefinitionMessage } from '../../asl/definition/definition-errors.js';
import { validateDefinition } from '../../asl/definition/validate-definition.js';
import { isValidResourceName, parseStateMachineArn, stateMachineArn } from '../arns.js';
import type { EngineCore } from '../engine-core.js';
import { ExecutionStatus, type StateMachineRecord } from '../engine-model.js';
import { engineRecord } from '../engine-records.js';
import {
  asRequest,
  decodeNextToken,
  encodeNextToken,
  optionalEnum,
  optionalInteger,
  optionalString,
  requireString,
} from '../request-fields.js';

const MAX_DEFINITION = 1_048_576;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

function checkDefinition(definition: string): void {
  const diagnostics = validateDefinition(definition);
  if (diagnostics.length > 0)
    throw new AwsApiError('InvalidDefinition', invalidDefinitionMessage(diagnostics));
}

function checkRole(roleArn: string): void {
  if (!ROLE_ARN.test(roleArn))
    throw new AwsApiError('InvalidArn', `Invalid Arn: 'Role ARN is not valid: ${roleArn}'`);
}

export function stateMachineArnField(req: Record<string, unknown>): string {
  const arn = requireString(req, 'stateMachineArn', 256);
  if (!parseStateMachineArn(arn))
    throw new AwsApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  return arn;
}

const seconds = (ms: number) => ms / 1000;

export async function createStateMachine(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const name = requireString(req, 'name', 80);
  const definition = requireString(req, 'definition', MAX_DEFINITION);
  const roleArn = requireString(req, 'roleArn', 256);
  const type = optionalEnum(req, 'type', ['STANDARD', 'EXPRESS'] as const) ?? 'STANDARD';
  const description = optionalString(req, 'description', 256);
  if (!isValidResourceName(name)) throw new AwsApiError('InvalidName', `Invalid Name: '${name}'`);
  checkRole(roleArn);
  checkDefinition(definition);
  const arn = stateMachineArn(core.arn, name);
  const existing = core.stateMachines.get(arn);
  if (existing && !existing.deleting) {
    if (
      existing.current.definition === definition &&
      existing.current.roleArn === roleArn &&
      existing.type === type
    ) {
      return { stateMachineArn: arn, creationDate: seconds(existing.creationDate) };
    }
    throw new AwsApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
  }
  const now = core.clock.now();
  const record: StateMachineRecord = {
    arn,
    name,
    type,
    creationDate: now,
    current: { definition, roleArn, updateDate: now, revisionId: randomUUID() },
    loggingConfiguration: req.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: req.tracingConfiguration ?? { enabled: false },
    description,
    deleting: false,
  };
  // In memory first, then the log: a compaction snapshot taken while the append is queued must
  // already see the record, or the compacted log would drop it.
  core.stateMachines.set(arn, record);
  try {
    await core.append(engineRecord.stateMachine(record));
  } catch (err) {
    if (existing) core.stateMachines.set(arn, existing);
    else core.stateMachines.delete(arn);
    throw err;
  }
  return { stateMachineArn: arn, creationDate: seconds(now) };
}

export async function updateStateMachine(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const arn = stateMachineArnField(req);
  const definition = optionalString(req, 'definition', MAX_DEFINITION, 1);
  const roleArn = optionalString(req, 'roleArn', 256, 1);
  if (
    definition === undefined &&
    roleArn === undefined &&
    req.loggingConfiguration === undefined &&
    req.tracingConfiguration === undefined
  ) {
    throw new AwsApiError(
      'MissingRequiredParameter',
      'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified',
    );
  }
  const sm = core.stateMachine(arn);
  if (roleArn !== undefined) checkRole(roleArn);
  if (definition !== undefined) checkDefinition(definition);
  const now = core.clock.now();
  const current = {
    definition: definition ?? sm.current.definition,
    roleArn: roleArn ?? sm.current.roleArn,
    updateDate: now,
    revisionId: randomUUID(),
  };
  const previous = sm.current;
  sm.current = current;
  try {
    await core.append(engineRecord.stateMachineUpdated(arn, current));
  } catch (err) {
    sm.current = previous;
    throw err;
  }
  return { updateDate: seconds(now), revisionId: current.revisionId };
}

export function describeStateMachine(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const sm = core.stateMachine(stateMachineArnField(req));
  return {
    stateMachineArn: sm.arn,
    name: sm.name,
    status: 'ACTIVE',
    definition: sm.current.definition,
    roleArn: sm.current.roleArn,
    type: sm.type,
    creationDate: seconds(sm.creationDate),
    loggingConfiguration: sm.loggingConfiguration,
    tracingConfiguration: sm.tracingConfiguration,
    revisionId: sm.current.revisionId,
    ...(sm.description !== undefined ? { description: sm.description } : {}),
  };
}

export function listStateMachines(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const maxResults = optionalInteger(req, 'maxResults', 0, 1000) || 100;
  const offset = decodeNextToken(optionalString(req, 'nextToken', 1024, 1), 'ListStateMachines');
  const all = [...core.stateMachines.values()]
    .filter((s) => !s.deleting)
    .sort((a, b) => a.name.localeCompare(b.name));
  const page = all.slice(offset, offset + maxResults);
  return {
    stateMachines: page.map((s) => ({
      stateMachineArn: s.arn,
      name: s.name,
      type: s.type,
      creationDate: seconds(s.creationDate),
    })),
    ...(offset + maxResults < all.length
      ? { nextToken: encodeNextToken(offset + maxResults, 'ListStateMachines') }
      : {}),
  };
}

export async function deleteStateMachine(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const arn = stateMachineArnField(req);
  const sm = core.stateMachines.get(arn);
  if (!sm || sm.deleting) return {};
  sm.deleting = true;
  try {
    await core.append(engineRecord.stateMachineDeleted(arn));
  } catch (err) {
    sm.deleting = false;
    throw err;
  }
  // AWS stops the running executions of a deleted state machine.
  for (const exec of core.executions.values()) {
    if (exec.stateMachineArn === arn && exec.status === ExecutionStatus.Running) {
      exec.controller.abort();
    }
  }
  return {};
}

export function validateStateMachineDefinition(_core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const definition = requireString(req, 'definition', MAX_DEFINITION);
  optionalEnum(req, 'type', ['STANDARD', 'EXPRESS'] as const);
  const diagnostics = validateDefinition(definition);
  return {
    result: diagnostics.length === 0 ? 'OK' : 'FAIL',
    diagnostics: diagnostics.map((d) => ({
      severity: 'ERROR',
      code: d.code,
      message: d.message,
      location: d.location,
    })),
    truncated: false,
  };
}
