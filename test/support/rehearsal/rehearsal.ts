import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import type { TollgateConfigInput } from '../../../functions/shared/config/schema.js';
import { createEngine, type Engine } from '../../../runtime/engine/engine.js';
import { MemoryStore } from '../../../runtime/store/memory-store.js';
import { type MotoServer, startMotoServer } from '../moto-server.js';
import { type CanaryRoute, canaryRoutes, createAlbCanaryRoutes } from './alb-canary-world.js';
import { AlbTraffic } from './alb-traffic.js';
import { AppRunner } from './app-runner.js';
import { AwsProxy, type Principal } from './aws-proxy.js';
import { CodeBuildApi } from './codebuild-api.js';
import {
  CODEBUILD_START_BUILD,
  type CodeBuildEmulatorOptions,
  codeBuildIntegration,
} from './codebuild-emulator.js';
import { CodeCommitEmulator } from './codecommit-emulator.js';
import { CompressedClock } from './compressed-clock.js';
import { DockerDaemon } from './docker-daemon.js';
import { EcrLayerStore } from './ecr-layer-store.js';
import { EcsEmulator, type EcsEmulatorOptions } from './ecs-emulator.js';
import { accessKeyFor, FunctionHost } from './function-host.js';
import { IamChecker } from './iam-check.js';
import { IdAliases } from './id-aliases.js';
import { createRepository } from './pipeline-driver.js';
import {
  adminClientConfig,
  createCluster,
  createDatabaseSecret,
  createEcsService,
  databaseSecretNames,
  migrateSchema,
  provisionStack,
  seedCustomers,
} from './provision.js';
import { HostsMap, RdsDataPlane } from './rds-data-plane.js';
import { loadRehearsalConfig, STACK_NAME, type SynthesizedStack, synthesizeStack } from './synth.js';
import { ACCOUNT, type FunctionModel, readTemplate, type TemplateModel } from './template-model.js';

const PRELOAD = join(import.meta.dirname, 'endpoint-preload.mjs');
const PROD_CLUSTER = 'orders-prod';

export interface RehearsalOptions {
  /** Reuse a cdk.out synthesized before (REHEARSAL_CDK_OUT); synthesizing bundles 19 functions. */
  readonly cdkOut?: string;
  readonly log?: (line: string) => void;
  readonly ecs?: EcsEmulatorOptions;
  /** See AwsProxyOptions.mode. @default 'enforce' */
  readonly iamMode?: 'enforce' | 'report';
}

export interface Rehearsal {
  readonly config: TollgateConfigInput;
  readonly model: TemplateModel;
  readonly engine: Engine;
  readonly iam: IamChecker;
  readonly host: FunctionHost;
  readonly ecs: EcsEmulator;
  readonly data: RdsDataPlane;
  readonly moto: MotoServer;
  readonly proxy: AwsProxy;
  /** The canary environments' load balancer: its weight moves and the traffic it sent. */
  readonly alb: AlbTraffic;
  readonly canaryRoutes: readonly CanaryRoute[];
  readonly stateMachineArn: string;
  /** Environment name → the cluster its connection secret points at now. */
  clusterOf(environment: string): Promise<string>;
  fn(task: string): FunctionModel;
  close(): Promise<void>;
}

/** Starts moto, synthesizes (or reuses) the stack, provisions it, and wires engine, proxy and functions. */
export async function startRehearsal(options: RehearsalOptions = {}): Promise<Rehearsal> {
  const log = options.log ?? (() => undefined);
  const cleanup: Array<() => Promise<unknown>> = [];
  const work = mkdtempSync(join(tmpdir(), 'tollgate-rehearsal-'));
  cleanup.push(async () => rmSync(work, { recursive: true, force: true }));
  try {
    const t0 = Date.now();
    const step = (what: string) => log(`[rehearsal] ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const moto = await startMotoServer();
    step('moto up');
    cleanup.push(() => moto.stop());
    const stack = options.cdkOut ? await readSynthesized(options.cdkOut) : await synthesizeStack();
    const config = stack.config;
    const first = readTemplate(stack.template);
    const provisioned = await provisionStack(first, moto.endpoint);
    const model = readTemplate(stack.template, provisioned.overrides);
    step('stack resources created');

    const hosts = new HostsMap(join(work, 'hosts.json'));
    const data = new RdsDataPlane(hosts, join(work, 'clusters'));
    cleanup.push(() => data.close());
    const migrations = join(import.meta.dirname, '../../../examples/orders-service/migrations');
    const secretNames = databaseSecretNames(config);
    // Prod's schema first; the other environments start as copies of that empty schema (their data
    // before any refresh), then prod gets its customers.
    const withDatabase = config.environments.filter((e) => e.database);
    const source = config.database?.source ?? 'prod';
    for (const env of [...withDatabase].sort(
      (a, b) => Number(b.name === source) - Number(a.name === source),
    )) {
      const clusterId = env.name === source ? PROD_CLUSTER : `orders-${env.name}`;
      const host = await createCluster(
        moto.endpoint,
        data,
        clusterId,
        env.name === source ? undefined : PROD_CLUSTER,
      );
      if (env.name === source) await migrateSchema(data.connectionUrl(clusterId), migrations);
      const arn = await createDatabaseSecret(moto.endpoint, secretNames[env.name], clusterId, host);
      provisioned.secretArns.set(secretNames[env.name], arn);
    }
    await seedCustomers(data.connectionUrl(PROD_CLUSTER));

    step('databases seeded');
    // ELBv2 ARNs and CloudWatch's ALB dimensions carry ids moto draws (see IdAliases).
    const aliases = new IdAliases(new Set(['elasticloadbalancing', 'monitoring']));
    const routes = canaryRoutes(config);
    await createAlbCanaryRoutes(moto, routes, aliases);
    const repo = join(work, 'repo');
    createRepository(repo);
    const baselineDir = join(work, 'baseline');
    execFileSync('git', ['clone', '--quiet', repo, baselineDir]);
    const artifactsBucket = model.physicalName(
      model.ofType('AWS::S3::Bucket').find((id) => /Artifacts/.test(id))!,
    );
    const apps = new AppRunner({
      s3: new S3Client(adminClientConfig(moto.endpoint)),
      bucket: artifactsBucket,
      pipeline: config.name,
      baselineDir,
      workDir: work,
      hosts,
      services: Object.fromEntries([
        ...config.environments.flatMap((e) =>
          e.deploy.type === 'ecs' && e.url
            ? [[e.deploy.service, { environment: e.name, host: new URL(e.url).hostname }]]
            : [],
        ),
        ...routes.map((r) => [r.canaryService, { environment: r.environment }]),
      ]),
    });
    cleanup.push(() => apps.close());
    const ecs = new EcsEmulator({
      ...options.ecs,
      onServing: (service, td) => apps.serve(service, td),
      onStopped: (service) => apps.stop(service),
    });
    for (const env of config.environments) {
      if (env.deploy.type !== 'ecs') continue;
      await createEcsService(ecs, env.deploy.cluster, env.deploy.service, env.deploy.containerName);
      // The canary service idles at 0 tasks until a canary deploy gives it the release's revision.
      if (env.deploy.canary)
        await createEcsService(
          ecs,
          env.deploy.cluster,
          env.deploy.canary.service,
          env.deploy.containerName,
          0,
        );
    }

    step('ECS services running');
    const iam = new IamChecker(model);
    const principals = new Map<string, Principal>();
    const shortName = (f: FunctionModel) =>
      f.logicalId.replace(/^Tollgate(Task)?/, '').replace(/Function[0-9A-F]{8}$/, '');
    for (const f of model.functions)
      principals.set(accessKeyFor(f.roleArn), { caller: shortName(f), roleArn: f.roleArn });
    for (const id of model.ofType('AWS::CodeBuild::Project')) {
      const roleArn = model.resolve(model.resources[id].Properties.ServiceRole);
      principals.set(accessKeyFor(roleArn), { caller: 'codebuild', roleArn });
    }

    const adminEcr = new ECRClient(adminClientConfig(moto.endpoint));
    const layers = new EcrLayerStore((name) =>
      adminEcr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })).then(
        () => true,
        () => false,
      ),
    );
    const docker = new DockerDaemon(join(work, 'docker'), adminEcr);
    const dockerHost = await docker.start();
    cleanup.push(() => docker.close());

    const clock = new CompressedClock();
    const alb = new AlbTraffic({
      motoEndpoint: moto.endpoint,
      routes,
      aliases,
      portOf: (service) => apps.portOf(service),
      now: () => clock.now(),
    });
    let engine: Engine | undefined;
    // The builds' side, shared by the Build state's .sync integration and run-tests' StartBuild;
    // the endpoint is the proxy's, known once it listens.
    const builds: { -readonly [K in keyof CodeBuildEmulatorOptions]: CodeBuildEmulatorOptions[K] } = {
      model,
      iam,
      repositories: { [config.source.repository]: repo },
      endpoint: '',
      dockerHost,
      enforce: options.iamMode !== 'report',
      vpcResolver: { preload: PRELOAD, hostsFile: hosts.file },
      log,
    };
    const codebuild = new CodeBuildApi(builds);
    cleanup.push(() => codebuild.settle());
    const proxy = new AwsProxy({
      moto: moto.endpoint,
      services: {
        states: {
          targetPrefix: 'AWSStepFunctions',
          dispatch: (op, body) => engine!.service.dispatch(op, body),
        },
        ecs,
        codecommit: new CodeCommitEmulator({ [config.source.repository]: repo }),
        ecr: layers,
        codebuild,
      },
      vetForwarded: (service, op, body) =>
        service === 'ecr' && op === 'PutImage'
          ? layers.vetPutImage(JSON.parse(body.toString('utf8')))
          : undefined,
      principals,
      iam,
      mode: options.iamMode ?? 'enforce',
      lookups: {
        async secretArn(id: string) {
          if (id.startsWith('arn:')) return id;
          const known = provisioned.secretArns.get(id);
          if (!known) throw new Error(`rehearsal: secret "${id}" was never created`);
          return known;
        },
      },
      rewrite: aliases,
      onForwarded: async (req, op, _status, body) => {
        if (req.service === 'elasticloadbalancing' && op === 'ModifyRule')
          await alb.ruleModified(new URLSearchParams(req.body.toString('utf8')).get('RuleArn') ?? '');
        if (req.service !== 'rds') return;
        const form = new URLSearchParams(req.body.toString('utf8'));
        if (op === 'RestoreDBClusterToPointInTime') {
          const host = /<Endpoint>([^<]+)<\/Endpoint>/.exec(body.toString('utf8'))?.[1];
          if (host)
            await data.restore(
              form.get('SourceDBClusterIdentifier')!,
              form.get('DBClusterIdentifier')!,
              host,
            );
        }
        if (op === 'DeleteDBCluster') await data.delete(form.get('DBClusterIdentifier')!);
      },
    });
    const endpoint = await proxy.start();
    builds.endpoint = endpoint;
    cleanup.push(() => proxy.close());

    const smRole = model.stateMachine.roleArn;
    const host = new FunctionHost({
      clockOffsetMs: () => clock.offsetMs,
      functions: model.functions.map((f) => ({
        ...f,
        environment: {
          ...f.environment,
          NODE_OPTIONS: `${f.environment.NODE_OPTIONS ?? ''} --import=${PRELOAD}`.trim(),
          TOLLGATE_REHEARSAL_HOSTS: hosts.file,
        },
      })),
      assets: stack.assets,
      endpoint,
      log,
      beforeInvoke: async (f) => {
        const call = await iam.check('state machine', smRole, {
          action: 'lambda:InvokeFunction',
          resource: f.arn,
        });
        if (call.decision === 'Denied' && options.iamMode !== 'report')
          throw Object.assign(new Error(`AccessDenied: lambda:InvokeFunction on ${f.arn}`), {
            name: 'Lambda.AWSLambdaException',
          });
      },
    });
    cleanup.push(() => host.close());

    engine = createEngine({
      store: new MemoryStore(),
      clock,
      lambda: host,
      accountId: ACCOUNT,
      integrations: {
        [CODEBUILD_START_BUILD]: codeBuildIntegration(builds),
      },
    });
    await engine.start();
    cleanup.push(() => engine!.close());
    const smName = model.stateMachine.arn.split(':').pop()!;
    const created = (await engine.service.dispatch('CreateStateMachine', {
      name: smName,
      definition: model.stateMachine.definition,
      roleArn: smRole,
      type: 'STANDARD',
    })) as { stateMachineArn: string };

    const rds = new RDSClient(adminClientConfig(moto.endpoint));
    return {
      config,
      model,
      engine,
      iam,
      host,
      ecs,
      data,
      moto,
      proxy,
      alb,
      canaryRoutes: routes,
      stateMachineArn: created.stateMachineArn,
      repoDir: repo,
      async clusterOf(environment: string) {
        const name = secretNames[environment];
        const { SecretsManagerClient, GetSecretValueCommand } = await import(
          '@aws-sdk/client-secrets-manager'
        );
        const secrets = new SecretsManagerClient(adminClientConfig(moto.endpoint));
        const out = await secrets.send(new GetSecretValueCommand({ SecretId: name }));
        void rds;
        void DescribeDBClustersCommand;
        return JSON.parse(out.SecretString ?? '{}').dbClusterIdentifier;
      },
      fn(task: string) {
        const key = task.replace(/-/g, '').toLowerCase();
        const found = model.functions.find((f) => shortName(f).toLowerCase() === key);
        if (!found) throw new Error(`no function for task "${task}"`);
        return found;
      },
      async close() {
        for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
      },
    } as Rehearsal & { repoDir: string };
  } catch (error) {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
    throw error;
  }
}

/** A cdk.out from an earlier synth of the same config (the template and its asset directories). */
async function readSynthesized(outdir: string): Promise<SynthesizedStack> {
  const file = join(outdir, `${STACK_NAME}.template.json`);
  if (!existsSync(file)) throw new Error(`${outdir} holds no ${STACK_NAME}.template.json; synthesize again`);
  const template = JSON.parse(readFileSync(file, 'utf8'));
  const assets = new Map<string, string>();
  for (const entry of readdirSync(outdir)) {
    const m = /^asset\.([0-9a-f]{64})$/.exec(entry);
    if (m) assets.set(m[1], join(outdir, entry));
  }
  return { outdir, config: await loadRehearsalConfig(), template, assets };
}
