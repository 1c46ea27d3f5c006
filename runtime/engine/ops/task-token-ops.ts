import { AwsApiError } from '../../api/aws-service.js';
import { MAX_PAYLOAD_BYTES } from '../../asl/payload-text.js';
import type { EngineCore } from '../engine-core.js';
import { asRequest, optionalString, requireString } from '../request-fields.js';

export async function sendTaskSuccess(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const token = requireString(req, 'taskToken', 2048);
  const outputText = requireString(req, 'output', MAX_PAYLOAD_BYTES, 0);
  let output: unknown;
  try {
    output = JSON.parse(outputText);
  } catch (err) {
    throw new AwsApiError('InvalidOutput', `Invalid Output: '${(err as Error).message}'`);
  }
  await core.tokens.succeed(token, output);
  return {};
}

export async function sendTaskFailure(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const token = requireString(req, 'taskToken', 2048);
  const error = optionalString(req, 'error', 256);
  const cause = optionalString(req, 'cause', 32768);
  await core.tokens.fail(token, error, cause);
  return {};
}

export function sendTaskHeartbeat(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  core.tokens.heartbeat(requireString(req, 'taskToken', 2048));
  return {};
}
