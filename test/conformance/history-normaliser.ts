/**
 * Applies the conformance README's normalisation to our own GetExecutionHistory output so it can
 * be compared with what LocalStack's snapshot library stored from real AWS.
 */
export interface NormaliseOptions {
  readonly stateMachineName: string;
  readonly executionName: string;
  readonly roleArn: string;
  readonly replacements: ReadonlyArray<SnapshotReplacement>;
}

/** index.json's `extra_snapshot_replacements`: a regex, a `$..key` transformer, or another transformer. */
export type SnapshotReplacement =
  | { from_regex: string; to: string }
  | { jsonpath_transformer: string[] }
  | { other_transformer: string };

function keyReplacement(r: SnapshotReplacement): { key: string; value: string } | undefined {
  if (!('jsonpath_transformer' in r)) return undefined;
  const [path, replacement] = r.jsonpath_transformer;
  const key = /\$\.\.(\w+)/.exec(path)?.[1];
  const value = /replacement='([^']*)'/.exec(replacement)?.[1] ?? replacement;
  return key ? { key, value } : undefined;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export class HistoryNormaliser {
  private readonly uuids = new Map<string, string>();
  private readonly jsonInputs = new Map<string, number>();

  constructor(private readonly options: NormaliseOptions) {}

  /** Decodes JSON-object strings one level deep, as the snapshot library did. */
  decode(value: unknown): unknown {
    if (typeof value === 'string' && value.startsWith('{')) {
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    }
    if (Array.isArray(value)) return value.map((v) => this.decode(v));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.decode(v)]));
    }
    return value;
  }

  normalise(value: unknown, key = ''): unknown {
    for (const r of this.options.replacements) {
      const kr = keyReplacement(r);
      if (kr && kr.key === key) return kr.value;
    }
    if (typeof value === 'string') return this.text(value, key);
    if (Array.isArray(value)) return value.map((v) => this.normalise(v, key));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.normalise(v, k)]));
    }
    if (key === 'timestamp') return 'timestamp';
    return value;
  }

  private text(s: string, key: string): string {
    if (key === 'timestamp') return 'timestamp';
    // Lambda HTTP metadata the snapshot replaced with literal words.
    if (key === 'Date') return 'date';
    if (key === 'x-amzn-RequestId' || key === 'X-Amzn-Trace-Id' || key === 'RequestId') return key;
    if (ISO.test(s)) return '<time>';
    let out = s;
    if (out === this.options.roleArn) return 'snf_role_arn';
    out = out.split(this.options.roleArn).join('snf_role_arn');
    out = out.replace(/arn:aws:/g, 'arn:<partition>:').replace(/:us-east-1:/g, ':<region>:');
    if (key === 'region' && out === 'us-east-1') out = '<region>';
    out = out.replace(/Request ID: [0-9a-f-]{36}/g, 'Request ID: <request_id>');
    out = out.replace(
      /mapRun:([^/]+)\/[0-9a-f-]{36}:[0-9a-f-]{36}/g,
      'mapRun:$1/<MapRunArnPart0_0idx>:<MapRunArnPart1_0idx>',
    );
    out = out.replace(/mapRun:([^/]+)\/([^:]+):[0-9a-f-]{36}/g, 'mapRun:$1/$2:<MapRunArnPart1_0idx>');
    out = out.replace(UUID, (u) => {
      if (!this.uuids.has(u)) this.uuids.set(u, `<uuid:${this.uuids.size + 1}>`);
      return this.uuids.get(u)!;
    });
    out = out.split(`:${this.options.stateMachineName}:`).join(':<ArnPart_0idx>:');
    out = out.split(`:${this.options.stateMachineName}/`).join(':<ArnPart_0idx>/');
    out = out.replace(
      new RegExp(`:stateMachine:${this.options.stateMachineName}$`),
      ':stateMachine:<ArnPart_0idx>',
    );
    out = out.replace(new RegExp(`:${this.options.executionName}$`), ':<ExecArnPart_0idx>');
    out = out.split(this.options.executionName).join('<ExecArnPart_0idx>');
    out = out.split(this.options.stateMachineName).join('<ArnPart_0idx>');
    // The snapshot replaced JSON quoted inside causes with numbered placeholders.
    out = out.replace(/(could not be found in the input )'(\{.*\})'/g, (_m, lead: string, json: string) => {
      if (!this.jsonInputs.has(json)) this.jsonInputs.set(json, this.jsonInputs.size + 1);
      return `${lead}'<json-input:${this.jsonInputs.get(json)}>'`;
    });
    for (const r of this.options.replacements) {
      if ('from_regex' in r) out = out.replace(new RegExp(r.from_regex, 'g'), r.to);
    }
    return out;
  }
}

/** The snapshot wrote some replacements with angle brackets and some without; compare either. */
export function stripReplacementBrackets(value: unknown, names: readonly string[]): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const n of names) out = out.split(`<${n}>`).join(n);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => stripReplacementBrackets(v, names));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripReplacementBrackets(v, names)]));
  }
  return value;
}

const LAMBDA_ERROR_DETAIL = ['stackTrace', 'trace', 'requestId'];

/**
 * Known deviation: our Lambda handlers are JS, so an error's stack trace (and Python's requestId
 * field) cannot match a Python runtime's. Drop them on both sides, in objects and in JSON text.
 */
export function dropLambdaTraces(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith('{') && value.includes('errorType')) {
    try {
      return JSON.stringify(sortKeys(dropLambdaTraces(JSON.parse(value))));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(dropLambdaTraces);
  if (value !== null && typeof value === 'object') {
    const isLambdaError = 'errorType' in value && 'errorMessage' in value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !(isLambdaError && LAMBDA_ERROR_DETAIL.includes(k)))
        .map(([k, v]) => [k, dropLambdaTraces(v)]),
    );
  }
  return value;
}

const TIME_WORDS = new Set(['date', 'start-time', 'entered-time', '<time>']);
const HTTP_METADATA = ['SdkHttpMetadata', 'SdkResponseMetadata'];

/**
 * Times became different words in different snapshots ("date", "start-time"); and the README
 * makes the Lambda SDK HTTP metadata optional (its Content-Length depends on ARN lengths).
 */
export function unifyVolatile(value: unknown): unknown {
  if (typeof value === 'string') return TIME_WORDS.has(value) ? '<time>' : value;
  if (Array.isArray(value)) return value.map(unifyVolatile);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !HTTP_METADATA.includes(k))
        .map(([k, v]) => [k, unifyVolatile(v)]),
    );
  }
  return value;
}

/** Non-object JSON text is compared by value (`"[1,2]"` vs `"[1, 2]"`), as the README says. */
export function canonical(value: unknown): unknown {
  if (typeof value === 'string') {
    const t = value.trim();
    if (
      t.startsWith('[') ||
      t.startsWith('"') ||
      /^-?\d/.test(t) ||
      t === 'true' ||
      t === 'false' ||
      t === 'null'
    ) {
      try {
        return { __json: canonical(JSON.parse(value)) };
      } catch {
        return value;
      }
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
