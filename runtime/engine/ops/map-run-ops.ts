import { AwsApiError } from '../../api/aws-service.js';
import type { EngineCore } from '../engine-core.js';
import {
  asRequest,
  decodeNextToken,
  encodeNextToken,
  optionalInteger,
  optionalString,
  requireString,
} from '../request-fields.js';
import { executionArnField } from './execution-ops.js';

const MAP_RUN_ARN =
  /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:mapRun:[A-Za-z0-9_-]{1,80}\/[^:]{1,80}:[A-Za-z0-9-]{1,80}$/;
const seconds = (ms: number) => ms / 1000;

/** `DescribeMapRun`: a distributed Map's run, with its item and child-execution counts. */
export function describeMapRun(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const arn = requireString(req, 'mapRunArn', 2000);
  if (!MAP_RUN_ARN.test(arn)) {
    throw new AwsApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  }
  const run = core.mapRuns.get(arn);
  if (!run) throw new AwsApiError('ResourceNotFound', `Resource not found: '${arn}'`);
  return {
    mapRunArn: run.mapRunArn,
    executionArn: run.executionArn,
    status: run.status,
    startDate: seconds(run.startDate),
    ...(run.stopDate !== undefined ? { stopDate: seconds(run.stopDate) } : {}),
    maxConcurrency: run.maxConcurrency,
    toleratedFailurePercentage: run.toleratedFailurePercentage,
    toleratedFailureCount: run.toleratedFailureCount,
    itemCounts: { ...run.itemCounts },
    executionCounts: { ...run.executionCounts },
    redriveCount: 0,
  };
}

/** `ListMapRuns`: the Map Runs an execution started, oldest first, paginated. */
export function listMapRuns(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const executionArn = executionArnField(req);
  core.execution(executionArn);
  const maxResults = optionalInteger(req, 'maxResults', 0, 1000) || 100;
  const scope = `ListMapRuns:${executionArn}`;
  const offset = decodeNextToken(optionalString(req, 'nextToken', 3096, 1), scope);
  const all = core.mapRuns.ofExecution(executionArn);
  const page = all.slice(offset, offset + maxResults);
  return {
    mapRuns: page.map((r) => ({
      executionArn: r.executionArn,
      mapRunArn: r.mapRunArn,
      stateMachineArn: r.stateMachineArn,
      startDate: seconds(r.startDate),
      ...(r.stopDate !== undefined ? { stopDate: seconds(r.stopDate) } : {}),
    })),
    ...(offset + maxResults < all.length ? { nextToken: encodeNextToken(offset + maxResults, scope) } : {}),
  };
}
