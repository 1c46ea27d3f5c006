import * as z from 'zod';
import { parseDuration } from './duration.js';
import { smokeTest } from './smoke-test-schema.js';

/**
 * `environments[].tests` and `environments[].verify`: what an environment runs besides the smoke
 * tests. A test stage is a command run in the release's unpacked tree after the deploy (before
 * promote) or after promote; its exit code decides, its JUnit XML and JSON summary become
 * evidence. `verify` keeps checking the promoted release for a window; a failure inside it rolls
 * the environment back.
 */

const duration = (what: string) =>
  z
    .string()
    .refine((v) => parseDuration(v) !== undefined, {
      message: `${what} must be a positive duration like "30s", "10m" or "1h"`,
    })
    .transform((v) => parseDuration(v)!);

/** A path inside the release tree: relative, no `..`, so a report is never read from elsewhere. */
const RELATIVE_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[\w.@+-]+(?:\/[\w.@+-]+)*$/;
/** The same, with `*` allowed in the last segment only (`reports/*.xml`). */
const RELATIVE_GLOB = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))(?:[\w.@+-]+\/)*[\w.@+*-]+$/;

const relativePath = z
  .string()
  .regex(
    RELATIVE_PATH,
    'must be a path inside the release tree, e.g. "reports/perf.json" (no "/" start, no "..")',
  );

/** Variables Tollgate sets for the command; a test stage's `env` may not replace them. */
const RESERVED_ENV = /^(TOLLGATE_[A-Z0-9_]*|DATABASE_URL|PATH|HOME)$/;

const threshold = z
  .strictObject({
    /** Dotted path of a number in the JSON file, e.g. `p95` or `latency.p95`. */
    metric: z
      .string()
      .regex(
        /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*$/,
        'must be a dotted key path like "p95" or "latency.p95"',
      ),
    /** The stage fails when the measured value is above this. */
    max: z.number().optional(),
    /** The stage fails when the measured value is below this. */
    min: z.number().optional(),
    /** Shown beside the value in the evidence (`ms`, `req/s`); the file's number is read as it is. */
    unit: z.string().max(16).optional(),
    /** JSON summary the command writes, relative to the release tree. */
    file: relativePath,
  })
  .refine((t) => t.max !== undefined || t.min !== undefined, {
    message: 'give "max" or "min" (or both), e.g. { metric: "p95", max: 200, unit: "ms" }',
  });

const testStage = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][\w.-]{0,62}$/, 'must be 1-63 letters, digits, "_", "." or "-", e.g. "integration"'),
  /** Shell command, run in the release's unpacked tree. */
  run: z.string().min(1),
  /** `deploy`: after the smoke tests, before promote; `promote`: once the environment runs it. */
  after: z.enum(['deploy', 'promote']).default('deploy'),
  /** The command's whole process group is stopped after this long and the stage fails. */
  timeout: duration('tests[].timeout').default(600),
  /** JUnit XML the command writes, relative to the release tree; `*` in the file name. */
  junit: z
    .string()
    .regex(
      RELATIVE_GLOB,
      'must be a path inside the release tree, "*" only in the file name, e.g. "reports/*.xml"',
    )
    .optional(),
  /** Extra variables for the command (Tollgate's own, DATABASE_URL, PATH and HOME are set by Tollgate). */
  env: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name like "API_KEY"')
        .refine((k) => !RESERVED_ENV.test(k), { message: 'is set by Tollgate; choose another name' }),
      z.string(),
    )
    .default({}),
  thresholds: z.array(threshold).default([]),
});

/** Each check of a verify window is a Wait state plus a task (~7 history events); 25,000 per run. */
const MAX_VERIFY_LOOKS = 500;

const verify = z
  .strictObject({
    /** How long the promoted release keeps being checked. */
    for: duration('verify.for'),
    /** The wait before each round of checks. */
    every: duration('verify.every').default(30),
    checks: z.array(smokeTest).min(1, 'list at least one check, e.g. [{ name: "health", path: "/health" }]'),
  })
  .superRefine((v, ctx) => {
    if (v.every > v.for) {
      ctx.addIssue({
        code: 'custom',
        path: ['every'],
        message: `every (${v.every}s) is longer than for (${v.for}s)`,
      });
    } else if (Math.ceil(v.for / v.every) > MAX_VERIFY_LOOKS) {
      ctx.addIssue({
        code: 'custom',
        path: ['every'],
        message: `${Math.ceil(v.for / v.every)} rounds of checks are more than a run's history can hold (${MAX_VERIFY_LOOKS}); use every of at least ${Math.ceil(v.for / MAX_VERIFY_LOOKS)}s`,
      });
    }
  });

export const testStages = z
  .array(testStage)
  .default([])
  .superRefine((tests, ctx) => {
    const seen = new Map<string, number>();
    tests.forEach((t, i) => {
      const first = seen.get(t.name);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `duplicate test stage name "${t.name}" (also at tests[${first}]); names must be unique`,
        });
      else seen.set(t.name, i);
    });
  });

export const verifyWindow = verify.optional();

export type TestStageConfig = z.output<typeof testStage>;
export type ThresholdConfig = TestStageConfig['thresholds'][number];
export type VerifyConfig = z.output<typeof verify>;
