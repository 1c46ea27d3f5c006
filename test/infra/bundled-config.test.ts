import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleLambdas } from '../../bench/bundles.js';
import { parseConfig } from '../../functions/shared/config/load-config.js';
import type { TollgateConfigInput } from '../../functions/shared/config/schema.js';
import { CONFIG_FILE, configDigest } from '../../functions/shared/wiring/env.js';
import { functionCode } from '../../infra/constructs/bundled-config.js';
import { TollgateFunction } from '../../infra/constructs/tollgate-function.js';
import { handlerEntry, REPO_ROOT } from '../../infra/repo-paths.js';
import { AURORA_SECRETS, auroraConfigInput, buildStack } from './stack-fixture.js';

const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** A team's config that outgrows 4 KB: a dozen masked columns, three environments, long test commands. */
function bigConfigInput(): TollgateConfigInput {
  const base = auroraConfigInput();
  const columns = ['email', 'name', 'phone', 'street', 'city', 'postcode', 'iban', 'birthday'];
  const masking = [
    ...columns.map((column) => ({ table: 'customers', column, rule: 'text' as const })),
    ...['note', 'gift_message', 'delivery_instructions', 'invoice_name'].map((column) => ({
      table: 'orders',
      column,
      rule: 'text' as const,
    })),
  ];
  const tests = (env: string) => [
    {
      name: 'integration',
      run: `npm run test:integration -- --reporter=junit --outputFile=reports/integration-${env}.xml --testTimeout=120000 --retry=2`,
      junit: 'reports/*.xml',
    },
    {
      name: 'contract',
      run: `npx pact-verifier --provider orders-service --provider-base-url "$TOLLGATE_ENVIRONMENT_URL" --pact-broker-url https://pacts.example.internal --publish-verification-results --provider-app-version "$TOLLGATE_RELEASE_ID" --consumer-version-selectors '{"deployedOrReleased":true}'`,
      junit: 'reports/pact-*.xml',
    },
    {
      name: 'end-to-end',
      run: `PLAYWRIGHT_JUNIT_OUTPUT_NAME=reports/e2e-${env}.xml npx playwright test --project=chromium --reporter=junit --workers=2 --retries=1 --grep-invert @quarantined`,
      junit: 'reports/e2e-*.xml',
    },
  ];
  const checks = [
    ...columns.map((column) => ({ type: 'notNull' as const, table: 'customers', column })),
    {
      type: 'sql' as const,
      name: 'every order belongs to a customer that still exists after masking',
      sql: 'SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL',
    },
    {
      type: 'sql' as const,
      name: 'no masked e-mail address collides with a real domain',
      sql: "SELECT count(*) FROM customers WHERE email NOT LIKE '%@example.invalid' AND email IS NOT NULL",
    },
  ];
  const smokeTests = ['health', 'version', 'orders', 'customers', 'payments', 'search'].map((name) => ({
    name,
    path: `/api/v2/${name}/status?include=dependencies`,
    expectBody: `"${name}":{"status":"ok"`,
  }));
  return auroraConfigInput({
    database: { ...base.database!, masking, checks },
    smokeTests,
    environments: [
      {
        name: 'test',
        deploy: { type: 'ecs', cluster: 'apps', service: 'orders-test', containerName: 'app' },
        database: { refresh: true },
        tests: tests('test'),
      },
      { ...base.environments[0]!, tests: tests('staging') },
      { ...base.environments[1]!, tests: tests('prod') },
    ],
  });
}

const SECRETS = { ...AURORA_SECRETS, test: 'orders/test-db' };

/** What Lambda counts: keys plus values; a token is counted as the construct's size check does. */
function environmentBytes(variables: Record<string, unknown>): number {
  return Object.entries(variables).reduce(
    (sum, [key, value]) =>
      sum + Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 256),
    0,
  );
}

/** Imports a bundle in a plain Node process, as Lambda does, with `variables`, and runs `body` on it. */
function runBundle(dir: string, variables: Record<string, string>, body: string) {
  const script = `
    const { pathToFileURL } = await import('node:url');
    const m = await import(pathToFileURL(process.argv[1]).href);
    try { ${body} } catch (e) { process.stderr.write(e.name + ': ' + e.message); process.exit(1); }`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script, join(dir, 'index.mjs')], {
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...variables },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** The Lambda code asset directory of a synthesized function. */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
function assetDirOf(outdir: string, template: any, logicalId: string): string {
  const hash = String(template.Resources[logicalId].Properties.Code.S3Key).replace(/\.zip$/, '');
  return join(outdir, `asset.${hash}`);
}

const READ_CONFIG = 'process.stdout.write(JSON.stringify((await m.awsWiring()).config));';

describe('the config shipped in the bundle', () => {
  it('keeps every function under 4 KB of variables with a config well over 4 KB, carrying only its digest', () => {
    // Arrange
    const input = bigConfigInput();

    // Act
    const { stack, template } = buildStack(input, { databaseSecrets: SECRETS });

    // Assert
    const functions = Object.values(stack.pipeline.functions);
    const text = functions[0]!.config!;
    expect(Buffer.byteLength(text)).toBeGreaterThan(1.25 * LAMBDA_ENVIRONMENT_LIMIT_BYTES);
    const { aws: _, ...withoutAws } = input;
    expect(JSON.parse(text)).toEqual(withoutAws);
    const resources = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(resources).length).toBeGreaterThanOrEqual(functions.length + 3);
    for (const [id, resource] of Object.entries(resources)) {
      const variables = resource.Properties.Environment.Variables;
      expect(environmentBytes(variables), id).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_LIMIT_BYTES);
      expect(variables.TOLLGATE_CONFIG, id).toBeUndefined();
      // The webhook reads no config; every other function carries the same digest.
      if (!id.includes('GitHubWebhook'))
        expect(variables.TOLLGATE_CONFIG_SHA256, id).toBe(configDigest(text));
    }
  });

  it('changes the digest in the template when the config changes', () => {
    // Arrange
    const before = bigConfigInput();
    const after = { ...before, concurrency: 'queued' as const };

    // Act
    const digests = [before, after].map((input) => {
      const { stack, template } = buildStack(input, { databaseSecrets: SECRETS });
      const id = stack.getLogicalId(stack.pipeline.functions['plan-run'].function.node.defaultChild as never);
      return template.toJSON().Resources[id].Properties.Environment.Variables.TOLLGATE_CONFIG_SHA256;
    });

    // Assert
    expect(digests[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(digests[1]).not.toBe(digests[0]);
  });
});

/**
 * One real function bundled by esbuild as a synth does it, then loaded in a plain Node process the
 * way Lambda loads it: the bundle's own wiring reads the file beside index.mjs.
 */
describe('a bundled function', () => {
  const input = bigConfigInput();
  const text = JSON.stringify(input);
  let assetDir = '';
  let variables: Record<string, string> = {};
  const scratch = mkdtempSync(join(tmpdir(), 'tollgate-bundled-config-'));

  beforeAll(() => {
    const app = new App({ outdir: join(scratch, 'cdk.out') });
    const stack = new Stack(app, 'Bundled');
    const fn = new TollgateFunction(stack, 'EndedRun', {
      entry: handlerEntry(REPO_ROOT, 'release-ended-run'),
      projectRoot: REPO_ROOT,
      taskName: 'release-ended-run',
      config: text,
      environment: { TOLLGATE_LOCK_TABLE: 'orders-locks' },
    });
    const assembly = app.synth();
    const template = JSON.parse(readFileSync(join(assembly.directory, 'Bundled.template.json'), 'utf8'));
    const id = stack.getLogicalId(fn.function.node.defaultChild as never);
    variables = template.Resources[id].Properties.Environment.Variables;
    assetDir = assetDirOf(assembly.directory, template, id);
  }, 240_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('reads back through its own wiring exactly the config that was synthesized', () => {
    // Arrange
    expect(readFileSync(join(assetDir, CONFIG_FILE), 'utf8')).toBe(text);
    expect(variables.TOLLGATE_CONFIG_SHA256).toBe(configDigest(text));

    // Act
    const run = runBundle(assetDir, variables, READ_CONFIG);

    // Assert
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(JSON.stringify(parseConfig(input))));
  });

  it('fails its invocation with one line naming the file when the bundle has no config', () => {
    // Arrange
    const bare = join(scratch, 'bare');
    cpSync(assetDir, bare, { recursive: true });
    rmSync(join(bare, CONFIG_FILE));
    const event = {
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: {
        executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:orders:r1',
        status: 'ABORTED',
      },
    };

    // Act
    const run = runBundle(bare, variables, `await m.handler(${JSON.stringify(event)}, {});`);

    // Assert
    expect(run.status).toBe(1);
    // The handler's logger writes its own ERROR record first; the thrown error is the last line.
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^Tollgate\.ConfigError: the pipeline config \S+\/bare\/tollgate-config\.json cannot be read \(ENOENT\); the TollgateFunction construct ships it in every function's bundle: deploy the function with it$/,
    );
    expect(existsSync(join(assetDir, CONFIG_FILE))).toBe(true);
  });
});

/**
 * An installed package has no sources: TollgateFunction deploys the bundle `npm run build` made
 * (dist/lambda/<name>/). Built here with the same builder, then given the config as the stack does.
 */
describe('a prebuilt bundle', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tollgate-prebuilt-config-'));
  const prebuilt = join(scratch, 'lambda', 'release-ended-run');
  const outdir = join(scratch, 'cdk.out');
  const configs = [bigConfigInput(), { ...bigConfigInput(), name: 'invoices' }];
  const assetDirs: string[] = [];

  beforeAll(async () => {
    await bundleLambdas(['release-ended-run'], join(scratch, 'lambda'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Prebuilt');
    const ids = configs.map(
      (config, i) =>
        new lambda.Function(stack, `Fn${i}`, {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: functionCode(
            prebuilt,
            () => ({ from: 'build', dir: prebuilt }),
            JSON.stringify(config),
            () => {},
          ),
        }),
    );
    const assembly = app.synth();
    const template = JSON.parse(readFileSync(join(assembly.directory, 'Prebuilt.template.json'), 'utf8'));
    for (const fn of ids)
      assetDirs.push(
        assetDirOf(assembly.directory, template, stack.getLogicalId(fn.node.defaultChild as never)),
      );
  }, 240_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is staged with the config beside it, one asset per config, and reads it back through its wiring', () => {
    // Act
    const runs = assetDirs.map((dir) => runBundle(dir, {}, READ_CONFIG));

    // Assert
    expect(new Set(assetDirs).size).toBe(2);
    expect(existsSync(join(prebuilt, CONFIG_FILE))).toBe(false);
    runs.forEach((run, i) => {
      expect(run.status, run.stderr).toBe(0);
      expect(readFileSync(join(assetDirs[i]!, CONFIG_FILE), 'utf8')).toBe(JSON.stringify(configs[i]));
      expect(JSON.parse(run.stdout)).toEqual(JSON.parse(JSON.stringify(parseConfig(configs[i]))));
    });
  });
});
