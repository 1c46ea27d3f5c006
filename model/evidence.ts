import { parseJson } from './run-event.js';

/**
 * What a stage proves, read from its task's result (or, for a failure, from the error's cause,
 * where the functions put their evidence). Shapes are recognised by their fields, so a stage whose
 * name the catalogue does not know still shows its evidence. Values are shown as the tasks wrote
 * them; the console redacts its whole answer on the way out, the terminal belongs to the operator.
 */
export type Evidence =
  | {
      readonly kind: 'smoke-tests';
      readonly passed: boolean | null;
      readonly checks: ReadonlyArray<{
        name: string;
        ok: boolean;
        status: number | null;
        attempts: number | null;
        durationMs: number | null;
        error: string | null;
      }>;
    }
  | {
      readonly kind: 'tests';
      readonly after: string | null;
      readonly passed: boolean | null;
      readonly tests: ReadonlyArray<{
        name: string;
        passed: boolean;
        reasons: string[];
        /** JUnit counts, when the stage names a report. */
        total: number | null;
        failedCount: number | null;
        durationMs: number | null;
        /** Failing tests, as the report lists them (the run-tests function bounds them). */
        failures: Array<{ suite: string; name: string; message: string }>;
        thresholds: Array<{ metric: string; value: number | null; passed: boolean; detail: string }>;
        output: string[];
      }>;
    }
  | {
      readonly kind: 'data-checks';
      readonly passed: boolean | null;
      readonly checks: ReadonlyArray<{
        check: string;
        type: string;
        passed: boolean;
        count: number;
        sample: string[];
      }>;
    }
  | {
      readonly kind: 'masking';
      readonly checks: ReadonlyArray<{
        check: string;
        table: string;
        column: string | null;
        passed: boolean;
        count: number;
        detail: string;
      }>;
    }
  | { readonly kind: 'masked-columns'; readonly totalRows: number | null; readonly rules: unknown[] }
  | {
      readonly kind: 'migrations';
      readonly applied: ReadonlyArray<{ version: number; name: string; durationMs: number | null }>;
      readonly skipped: number;
    }
  | { readonly kind: 'snapshot'; readonly provenance: Record<string, unknown> }
  | {
      readonly kind: 'deployment';
      readonly deploymentId: string | null;
      readonly version: string | null;
      readonly state: string | null;
    }
  | {
      readonly kind: 'rollback';
      readonly action: string | null;
      readonly restoredVersion: string | null;
      readonly failedVersion: string | null;
    }
  | { readonly kind: 'release'; readonly version: string; readonly digest: string | null }
  | {
      readonly kind: 'approval';
      readonly approvalId: string;
      readonly status: string | null;
      readonly expiresAt: string | null;
    }
  | {
      readonly kind: 'approved';
      readonly approvals: ReadonlyArray<{ approver: string; at: string | null; comment: string }>;
    };

// biome-ignore lint/suspicious/noExplicitAny: untyped task results, each field checked where it is read
type Json = Record<string, any>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown) => (typeof v === 'string' ? v : null);

/** The Lambda result inside a lambda:invoke output (`Payload`), or the output itself. */
export function taskResult(output: unknown): unknown {
  const parsed = typeof output === 'string' ? parseJson(output) : output;
  return isObject(parsed) && 'Payload' in parsed && 'StatusCode' in parsed ? parsed.Payload : parsed;
}

/** Evidence carried by a failure's cause: the JSON itself, or JSON embedded in an error message. */
export function causePayload(cause: unknown): unknown {
  const parsed = parseJson(cause);
  if (isObject(parsed) && typeof parsed.errorMessage === 'string')
    return causePayload(parsed.errorMessage) ?? parsed;
  if (parsed !== undefined) return parsed;
  if (typeof cause !== 'string') return undefined;
  const at = cause.indexOf('{');
  return at >= 0 ? parseJson(cause.slice(at)) : undefined;
}

export function extractEvidence(value: unknown): Evidence[] {
  if (!isObject(value)) return [];
  const found: Evidence[] = [];
  if (Array.isArray(value.checks) && value.checks.every((c: unknown) => isObject(c) && 'ok' in c)) {
    found.push({
      kind: 'smoke-tests',
      passed: typeof value.passed === 'boolean' ? value.passed : null,
      checks: value.checks.map((c: Json) => ({
        name: String(c.name ?? ''),
        ok: c.ok === true,
        status: num(c.status),
        attempts: num(c.attempts),
        durationMs: num(c.durationMs),
        error: text(c.error),
      })),
    });
  }
  if (
    Array.isArray(value.tests) &&
    value.tests.every((t: unknown) => isObject(t) && Array.isArray(t.reasons))
  ) {
    found.push(testsEvidence(value));
  }
  const evidence = Array.isArray(value.evidence) ? value.evidence.filter(isObject) : [];
  const dataChecks = evidence.filter((e: Json) => 'sample' in e && 'count' in e);
  if (dataChecks.length > 0) {
    found.push({
      kind: 'data-checks',
      passed: typeof value.passed === 'boolean' ? value.passed : null,
      // Samples are row keys the check function already masked.
      checks: dataChecks.map((e: Json) => ({
        check: String(e.check ?? ''),
        type: String(e.type ?? ''),
        passed: e.passed === true,
        count: num(e.count) ?? 0,
        sample: Array.isArray(e.sample) ? e.sample.map((s: unknown) => String(s)) : [],
      })),
    });
  }
  const masking = evidence.filter((e: Json) => 'detail' in e && 'table' in e);
  if (masking.length > 0) {
    found.push({
      kind: 'masking',
      checks: masking.map((e: Json) => ({
        check: String(e.check ?? ''),
        table: String(e.table ?? ''),
        column: text(e.column),
        passed: e.passed === true,
        count: num(e.count) ?? 0,
        detail: String(e.detail ?? ''),
      })),
    });
  }
  if (Array.isArray(value.rules) && 'totalRows' in value) {
    found.push({ kind: 'masked-columns', totalRows: num(value.totalRows), rules: value.rules });
  }
  if (Array.isArray(value.applied)) {
    found.push({
      kind: 'migrations',
      applied: value.applied.filter(isObject).map((m: Json) => ({
        version: num(m.version) ?? 0,
        name: String(m.name ?? ''),
        durationMs: num(m.durationMs),
      })),
      skipped: Array.isArray(value.skipped) ? value.skipped.length : 0,
    });
  }
  const provenance = value.provenance ?? value.snapshot ?? (value.snapshotId ? value : undefined);
  if (isObject(provenance)) found.push({ kind: 'snapshot', provenance });
  if (typeof value.deploymentId === 'string') {
    found.push({
      kind: 'deployment',
      deploymentId: value.deploymentId,
      // Poll results name what serves now (`serving`); deploy results name the release started.
      version: text(value.version) ?? text(value.serving),
      state: text(value.state),
    });
  }
  if (typeof value.action === 'string' && 'restoredVersion' in value) {
    found.push({
      kind: 'rollback',
      action: value.action,
      restoredVersion: text(value.restoredVersion),
      failedVersion: text(value.failedVersion),
    });
  }
  if (typeof value.version === 'string' && typeof value.digest === 'string' && 'artifactKey' in value) {
    found.push({ kind: 'release', version: value.version, digest: value.digest });
  }
  // The gate's own result (what approve sent back with the token): who let it through.
  if (value.decision === 'approved' && Array.isArray(value.approvals)) {
    found.push({
      kind: 'approved',
      approvals: value.approvals.filter(isObject).map((a: Json) => ({
        approver: String(a.approver ?? '?'),
        at: text(a.at),
        comment: String(a.comment ?? ''),
      })),
    });
  }
  if (typeof value.approvalId === 'string') {
    found.push({
      kind: 'approval',
      approvalId: value.approvalId,
      status: text(value.status),
      expiresAt: text(value.expiresAt),
    });
  }
  return found;
}

/** A test stage's report (run-tests): each stage with its JUnit counts, failures and thresholds. */
function testsEvidence(value: Json): Evidence {
  const list = (v: unknown) => (Array.isArray(v) ? v.filter(isObject) : []);
  return {
    kind: 'tests',
    after: text(value.after),
    passed: typeof value.passed === 'boolean' ? value.passed : null,
    tests: value.tests.map((t: Json) => ({
      name: String(t.name ?? ''),
      passed: t.passed === true,
      reasons: t.reasons.map((r: unknown) => String(r)),
      total: isObject(t.junit) ? num(t.junit.tests) : null,
      failedCount: isObject(t.junit) ? num(t.junit.failures) : null,
      durationMs: num(t.durationMs),
      failures: list(isObject(t.junit) ? t.junit.failed : []).map((f: Json) => ({
        suite: String(f.suite ?? ''),
        name: String(f.name ?? ''),
        message: String(f.message ?? ''),
      })),
      thresholds: list(t.thresholds).map((h: Json) => ({
        metric: String(h.metric ?? ''),
        value: num(h.value),
        passed: h.passed === true,
        detail: String(h.detail ?? ''),
      })),
      output: Array.isArray(t.output) ? t.output.map((l: unknown) => String(l)) : [],
    })),
  };
}
