import * as z from 'zod';
import { awsSettings } from './aws-schema.js';
import { commandCheck, migrateCommand } from './command-schema.js';
import { parseDuration } from './duration.js';
import { ecsCanary } from './ecs-canary-schema.js';
import { features } from './features-schema.js';
import { approver, duplicateIdentity, identities } from './identity-schema.js';
import { size } from './size.js';
import { smokeTest } from './smoke-test-schema.js';
import { strategySchema } from './strategy-schema.js';
import { testStages, verifyWindow } from './test-stage-schema.js';

const duration = (what: string) =>
  z
    .string()
    .refine((v) => parseDuration(v) !== undefined, {
      message: `${what} must be a positive duration like "30s", "15m", "24h" or "7d"`,
    })
    .transform((v) => parseDuration(v)!);

const name = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,39}$/,
    'must start with a lowercase letter and use only a-z, 0-9 and "-" (max 40)',
  );

const port = z.number().int().min(1024).max(65535);

const maskRule = z.enum(['email', 'name', 'phone', 'text', 'null', 'hash']);

const masking = z.strictObject({
  table: z.string().min(1),
  column: z.string().min(1),
  rule: maskRule,
});

const check = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('sql'), name: z.string().min(1), sql: z.string().min(1) }),
  z.strictObject({
    type: z.literal('unique'),
    name: z.string().min(1).optional(),
    table: z.string().min(1),
    columns: z.array(z.string().min(1)).min(1),
    /** Compare case-insensitively, e.g. e-mail addresses. */
    ignoreCase: z.boolean().default(false),
  }),
  z.strictObject({
    type: z.literal('notNull'),
    name: z.string().min(1).optional(),
    table: z.string().min(1),
    column: z.string().min(1),
  }),
  z.strictObject({
    type: z.literal('foreignKey'),
    name: z.string().min(1).optional(),
    table: z.string().min(1),
    column: z.string().min(1),
    references: z.strictObject({ table: z.string().min(1), column: z.string().min(1) }),
  }),
  z.strictObject({
    type: z.literal('rowCountMatchesSource'),
    name: z.string().min(1).optional(),
    table: z.string().min(1),
  }),
  commandCheck,
]);

const provider = z.discriminatedUnion('type', [
  /** PGlite data directories under .tollgate/volumes, served over the Postgres wire protocol. */
  z.strictObject({ type: z.literal('local') }),
  z.strictObject({
    type: z.literal('flasharray'),
    endpoint: z.url(),
    /** Secrets Manager id of the FlashArray API token. */
    apiTokenSecret: z.string().min(1),
    /** Protection group to snapshot for consistency across volumes. */
    protectionGroup: z.string().min(1).optional(),
  }),
  z.strictObject({
    type: z.literal('aurora-clone'),
    sourceClusterId: z.string().min(1),
    instanceClass: z.string().default('db.serverless'),
  }),
]);

const database = z.strictObject({
  engine: z.literal('postgres', { message: 'only "postgres" is supported' }),
  provider: provider.default({ type: 'local' }),
  /** The environment whose database is the source of refreshes (production). */
  source: name.default('prod'),
  /** Directory of numbered SQL migrations, relative to the repository root. */
  migrations: z.string().min(1).default('migrations'),
  /** The team's own migration tool instead of the `NNNN_name.sql` runner (see command-schema.ts). */
  migrate: migrateCommand.optional(),
  masking: z.array(masking).default([]),
  checks: z.array(check).default([]),
  /**
   * Migrations (file names without `.sql`) the previous release cannot run on: the
   * backward-compatibility check in a refreshed environment then warns instead of failing, and a
   * rollback in prod offers to restore the pre-migration checkpoint (see migration-safety).
   */
  breaking: z
    .array(
      z
        .string()
        .regex(/^\d{4}_[a-z0-9][a-z0-9_]*$/, 'name a migration file without ".sql", e.g. "0007_drop_legacy"'),
    )
    .default([]),
  /** Retention of refresh snapshots and clones; gc (after every refresh) enforces it. */
  snapshots: z
    .strictObject({
      /** Newest snapshots (and unused clones) kept per kind, beyond the running refresh's own. */
      keep: z.number().int().min(1).max(100).default(3),
      /** Anything older is deleted at the next gc, unless an environment serves from it. */
      maxAge: duration('database.snapshots.maxAge').default(7 * 86_400),
    })
    .default({ keep: 3, maxAge: 7 * 86_400 }),
  /**
   * Local only: fills the source environment's database the first time `tollgate up` finds it
   * without data, after applying the working tree's migrations. Run in the repository by the shell,
   * with DATABASE_URL set to that database.
   */
  seed: z
    .strictObject({
      command: z
        .string()
        .trim()
        .min(1, 'give the command that fills the database, e.g. "node scripts/seed.mjs"'),
    })
    .optional(),
});

const deploy = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('process'),
    /** Command that starts the app from the unpacked release; PORT and DATABASE_URL are set. */
    command: z.string().min(1),
    port,
    healthPath: z.string().regex(/^\//).default('/health'),
  }),
  z.strictObject({
    type: z.literal('ecs'),
    cluster: z.string().min(1),
    service: z.string().min(1),
    containerName: z.string().min(1),
    /** Where a canary or linear strategy runs the new release beside `service` (see ecs-canary-schema.ts). */
    canary: ecsCanary.optional(),
  }),
]);

const approval = z.strictObject({
  approvers: z.array(approver).min(1, 'list at least one approver'),
  timeout: duration('approval.timeout').default(86_400),
  allowSelfApproval: z.boolean().default(false),
  minApprovals: z.number().int().min(1).default(1),
});

const environment = z.strictObject({
  name,
  url: z.url().optional(),
  database: z
    .strictObject({
      refresh: z.boolean().default(false),
      /** Local provider: the port the environment's Postgres listens on. */
      port: port.optional(),
      volumes: z.array(z.strictObject({ source: z.string().min(1), target: z.string().min(1) })).default([]),
    })
    .optional(),
  deploy,
  approval: approval.optional(),
  strategy: strategySchema.default({ type: 'all-at-once' }),
  /** How long a rollout may take before it counts as failed. */
  deployTimeout: duration('deployTimeout').default(600),
  /** How often the pipeline polls a rollout (a Wait state, so no Lambda blocks while it waits). */
  pollInterval: duration('pollInterval').default(5),
  /** Test commands run in the release's tree after deploy or promote (see test-stage-schema.ts). */
  tests: testStages,
  /** Post-deployment verification: checks repeated after promote; a failure rolls back. */
  verify: verifyWindow,
});

/**
 * A queued run sleeps until woken; every `pollInterval` it also looks by itself, and each look adds
 * about 13 events to its Step Functions history (at most 25,000 per run), so the looks are bounded.
 */
const MAX_LOCK_LOOKS = 1_000;

const concurrency = z
  .union([
    z
      .enum(['queued', 'superseded'])
      .transform((mode) => ({ mode, lease: 21_600, maxWait: 86_400, pollInterval: 21_600 })),
    z
      .strictObject({
        mode: z.enum(['queued', 'superseded']),
        /**
         * How often the holder's run is verified: once its lease lapsed, the next guard call asks
         * Step Functions whether it still runs (it keeps the lock, e.g. at an approval gate) or ended.
         */
        lease: duration('concurrency.lease').default(21_600),
        /** A queued run gives up, with a recorded reason, after waiting this long. */
        maxWait: duration('concurrency.maxWait').default(86_400),
        /** A queued run is woken when the lock frees; it also looks by itself this often (a lost wake-up). */
        pollInterval: duration('concurrency.pollInterval').default(21_600),
      })
      .superRefine((c, ctx) => {
        if (c.maxWait / c.pollInterval <= MAX_LOCK_LOOKS) return;
        ctx.addIssue({
          code: 'custom',
          path: ['pollInterval'],
          message: `a queued run would look at the lock up to ${Math.ceil(c.maxWait / c.pollInterval)} times in maxWait (${c.maxWait}s), more than its Step Functions history can hold; use a pollInterval of at least ${Math.ceil(c.maxWait / MAX_LOCK_LOOKS)}s or a shorter maxWait`,
        });
      }),
  ])
  .default({ mode: 'queued', lease: 21_600, maxWait: 86_400, pollInterval: 21_600 });

export const configSchema = z
  .strictObject({
    name,
    source: z.strictObject({
      repository: z.string().min(1),
      branches: z.array(z.string().min(1)).min(1).default(['main']),
    }),
    build: z.strictObject({
      command: z.string().min(1),
      /** Path of the release tarball the command produces, relative to the repository root. */
      artifact: z.string().min(1),
      image: z.strictObject({ repository: z.string().min(1) }).optional(),
      /** AWS only: the CodeBuild project that runs the build. */
      codebuildProject: z.string().min(1).optional(),
      /**
       * A build running longer is stopped (its whole process tree locally; CodeBuild's own timeout
       * on AWS) and the run fails, releasing the lock. 30 minutes by default.
       */
      timeout: duration('build.timeout').default(1_800),
    }),
    database: database.optional(),
    environments: z.array(environment).min(1, 'add at least one environment, e.g. { name: "test", ... }'),
    smokeTests: z.array(smokeTest).default([]),
    concurrency,
    identities,
    /** Feature and issue IDs in commit messages: what a release carries (`tollgate where`). */
    features,
    /** The local runtime (`tollgate up`) only. */
    runtime: z
      .strictObject({
        /** Most the data directory may hold; a refresh that would pass it fails before copying. */
        diskBudget: size('runtime.diskBudget').optional(),
      })
      .default({}),
    ledger: z.strictObject({ retention: duration('ledger.retention').default(7 * 365 * 86_400) }).default({
      retention: 7 * 365 * 86_400,
    }),
    /** The CDK stack only: secrets, network and build source of a real account. */
    aws: awsSettings.optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.environments.forEach((env, index) => {
      const first = seen.get(env.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', index, 'name'],
          message: `duplicate environment name "${env.name}" (also at environments[${first}]); names must be unique`,
        });
      } else seen.set(env.name, index);
      if (env.database?.refresh && !config.database) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', index, 'database', 'refresh'],
          message: 'refresh needs a top-level "database" block describing the engine and provider',
        });
      }
      const sameIdentity = env.approval && duplicateIdentity(env.approval.approvers, config.identities);
      if (sameIdentity) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', index, 'approval', 'approvers'],
          message: `"${sameIdentity[0]}" and "${sameIdentity[1]}" are the same person (${sameIdentity[2]}); list each approver once`,
        });
      }
      if (env.deploy.type === 'ecs' && env.strategy.type !== 'all-at-once' && !env.deploy.canary) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', index, 'deploy', 'canary'],
          message: `a ${env.strategy.type} strategy on ECS needs deploy.canary { service, listenerRuleArn, targetGroupArn, baselineTargetGroupArn }`,
        });
      }
      if (env.approval && env.approval.minApprovals > env.approval.approvers.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', index, 'approval', 'minApprovals'],
          message: `minApprovals (${env.approval.minApprovals}) exceeds the number of approvers (${env.approval.approvers.length})`,
        });
      }
    });
    const ports = new Map<number, string>();
    config.environments.forEach((env, index) => {
      const used = [env.deploy.type === 'process' ? env.deploy.port : undefined, env.database?.port];
      for (const p of used) {
        if (p === undefined) continue;
        const other = ports.get(p);
        if (other) {
          ctx.addIssue({
            code: 'custom',
            path: ['environments', index],
            message: `port ${p} is already used by ${other}; give every app and database its own port`,
          });
        } else ports.set(p, `environment "${env.name}"`);
      }
    });
    // A rule mask-data would otherwise find only mid-run; here `tollgate doctor`, `tollgate up` and
    // the stack all refuse the config the same way (they all validate through this schema).
    const masked = new Map<string, number>();
    config.database?.masking.forEach((rule, index) => {
      const key = JSON.stringify([rule.table, rule.column]);
      const first = masked.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['database', 'masking', index],
          message: `${rule.table}.${rule.column} already has a rule at database.masking[${first}]; give each column one rule`,
        });
      } else masked.set(key, index);
    });
    // database.breaking names the built-in runner's files; a tool's own migrations are not known
    // to Tollgate by name, so such a list could never match what the tool applied.
    if (config.database?.migrate && config.database.breaking.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['database', 'breaking'],
        message:
          'names NNNN_name.sql files of the built-in runner, which database.migrate.command replaces; remove it (a command migration that breaks the previous release fails the run as not rollback-safe)',
      });
    }
    if (config.database && !config.environments.some((e) => e.name === config.database?.source)) {
      ctx.addIssue({
        code: 'custom',
        path: ['database', 'source'],
        message: `source environment "${config.database.source}" is not in environments[]`,
      });
    }
  });

/** What users write (durations as strings, defaults optional). */
export type TollgateConfigInput = z.input<typeof configSchema>;
/** What the code reads (durations in seconds, defaults filled). */
export type TollgateConfig = z.output<typeof configSchema>;
export type EnvironmentConfig = TollgateConfig['environments'][number];
export type SmokeTestConfig = TollgateConfig['smokeTests'][number];
export type DatabaseConfig = NonNullable<TollgateConfig['database']>;
export type DataCheckConfig = DatabaseConfig['checks'][number];
export type MaskingRuleConfig = DatabaseConfig['masking'][number];
export type { AnalysisCheckConfig, SteppedStrategy, StrategyConfig } from './strategy-schema.js';
export type { TestStageConfig, ThresholdConfig, VerifyConfig } from './test-stage-schema.js';
