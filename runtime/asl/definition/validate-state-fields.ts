import type { DefinitionDiagnostic } from './definition-errors.js';

/** Fields each state type accepts, per query language (AWS rejects the rest at create time). */
const COMMON = ['Type', 'Comment', 'QueryLanguage', 'Next', 'End', 'Assign'];
const JSONPATH_IO = ['InputPath', 'OutputPath'];
const JSONPATH_RESULT = ['ResultPath', 'Parameters', 'ResultSelector'];
const RETRY = ['Retry', 'Catch'];
const TIMEOUT = ['TimeoutSeconds', 'TimeoutSecondsPath'];

const ALLOWED: Record<string, { JSONPath: string[]; JSONata: string[] }> = {
  Pass: { JSONPath: [...JSONPATH_IO, 'ResultPath', 'Parameters', 'Result'], JSONata: ['Output'] },
  Task: {
    JSONPath: [
      ...JSONPATH_IO,
      ...JSONPATH_RESULT,
      ...RETRY,
      'Resource',
      'TimeoutSeconds',
      'TimeoutSecondsPath',
      'HeartbeatSeconds',
      'HeartbeatSecondsPath',
      'Credentials',
    ],
    JSONata: [
      ...RETRY,
      'Resource',
      'Arguments',
      'Output',
      'TimeoutSeconds',
      'HeartbeatSeconds',
      'Credentials',
    ],
  },
  Choice: { JSONPath: [...JSONPATH_IO, 'Choices', 'Default'], JSONata: ['Choices', 'Default', 'Output'] },
  Wait: {
    JSONPath: [...JSONPATH_IO, 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'],
    JSONata: ['Seconds', 'Timestamp', 'Output'],
  },
  Succeed: { JSONPath: JSONPATH_IO, JSONata: ['Output'] },
  Fail: { JSONPath: ['Error', 'ErrorPath', 'Cause', 'CausePath'], JSONata: ['Error', 'Cause'] },
  Parallel: {
    JSONPath: [...JSONPATH_IO, ...JSONPATH_RESULT, ...RETRY, ...TIMEOUT, 'Branches'],
    JSONata: [...RETRY, 'Branches', 'Arguments', 'Output', 'TimeoutSeconds'],
  },
  Map: {
    JSONPath: [
      ...JSONPATH_IO,
      ...JSONPATH_RESULT,
      ...RETRY,
      ...TIMEOUT,
      'Iterator',
      'ItemProcessor',
      'ItemsPath',
      'ItemSelector',
      'ItemReader',
      'ResultWriter',
      'MaxConcurrency',
      'MaxConcurrencyPath',
      'ToleratedFailureCount',
      'ToleratedFailureCountPath',
      'ToleratedFailurePercentage',
      'ToleratedFailurePercentagePath',
      'Label',
      'ItemBatcher',
    ],
    JSONata: [
      ...RETRY,
      'TimeoutSeconds',
      'Iterator',
      'ItemProcessor',
      'Items',
      'ItemSelector',
      'ItemReader',
      'ResultWriter',
      'MaxConcurrency',
      'ToleratedFailureCount',
      'ToleratedFailurePercentage',
      'Label',
      'ItemBatcher',
      'Output',
      'Arguments',
    ],
  },
};

export function validateStateFields(
  type: string,
  state: Record<string, unknown>,
  loc: string,
  language: string,
  out: DefinitionDiagnostic[],
): void {
  const allowed = ALLOWED[type];
  if (!allowed) return;
  const fields = new Set([...COMMON, ...(language === 'JSONata' ? allowed.JSONata : allowed.JSONPath)]);
  for (const key of Object.keys(state)) {
    if (!fields.has(key)) {
      out.push({
        code: 'SCHEMA_VALIDATION_FAILED',
        message: `The field '${key}' is not supported by Step Functions`,
        location: `${loc}/${key}`,
      });
    }
  }
  if (type === 'Wait') {
    const forms = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter(
      (f) => state[f] !== undefined,
    );
    if (forms.length !== 1) {
      out.push({
        code: 'SCHEMA_VALIDATION_FAILED',
        message:
          "A Wait state must have exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath'",
        location: loc,
      });
    }
  }
  for (const key of ['TimeoutSeconds', 'HeartbeatSeconds']) {
    const v = state[key];
    if (v !== undefined && typeof v !== 'string' && !(Number.isInteger(v) && (v as number) > 0)) {
      out.push({
        code: 'SCHEMA_VALIDATION_FAILED',
        message: 'The value must be a positive integer',
        location: `${loc}/${key}`,
      });
    }
  }
}
