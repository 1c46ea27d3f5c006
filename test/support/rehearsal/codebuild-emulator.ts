// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation and CodeBuild JSON are untyped
/**
 * CodeBuild's `startBuild.sync` Step Functions integration, emulated (moto has no CodeBuild builds).
 *
 * Models: the state machine role's authorizations the integration documents (StartBuild,
 * BatchGetBuilds, BatchGetReports, and the managed EventBridge rule Step Functions creates for
 * `.sync`); a build of the exact commit (SourceVersion) from the project's source repository, here a
 * local git repository checked out into a fresh directory; the template's own buildspec (0.2): its
 * install, pre_build, build and post_build phases in that order, every command in one shell (so a
 * variable one command sets reaches the next, as 0.2 specifies), a failing command ending its phase;
 * a failure in install or pre_build skips the later phases, a failure in build still runs
 * post_build, and either fails the build; `env.shell`, `env.variables` and `env.exported-variables`
 * (read after the last phase and returned as `Build.ExportedEnvironmentVariables`, as the `.sync`
 * integration returns them); the project's environment variables plus EnvironmentVariablesOverride
 * and CodeBuild's CODEBUILD_BUILD_ID, CODEBUILD_BUILD_NUMBER and CODEBUILD_RESOLVED_SOURCE_VERSION;
 * calls signed as the project's service role (the real `aws` CLI, AWS_ENDPOINT_URL at the recording
 * proxy); with privileged mode, a `docker` client on PATH talking to the rehearsal's Docker engine
 * (docker-daemon.ts), which pushes to ECR through the same proxy. A failed command fails the task
 * with the build as the cause.
 *
 * NO_SOURCE projects start in an empty directory; SECRETS_MANAGER variables are read with the
 * project's role; a build's node processes resolve the names the rehearsal serves (vpcResolver).
 * The CodeBuild API a function calls (StartBuild, BatchGetBuilds) is codebuild-api.ts, on the same
 * builds.
 *
 * Does not model: `on-failure`, `finally` blocks, `env` sections other than the three above,
 * `artifacts`/`reports`/`cache`, the build image (commands run on this machine with its node and
 * bash), the VPC's routing and security groups, build timeouts or concurrent-build limits.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { IntegrationRequest, TaskIntegration } from '../../../runtime/asl/task/task-integration.js';
import { accessKeyFor } from './function-host.js';
import type { IamChecker } from './iam-check.js';
import { ACCOUNT, PARTITION, REGION, type TemplateModel } from './template-model.js';

export const CODEBUILD_START_BUILD = `arn:${PARTITION}:states:::codebuild:startBuild`;

export interface CodeBuildEmulatorOptions {
  readonly model: TemplateModel;
  readonly iam: IamChecker;
  /** Repository name (the project's CODECOMMIT source) → local git repository. */
  readonly repositories: Readonly<Record<string, string>>;
  readonly endpoint: string;
  /** false: a denied call is recorded but the build goes on (REHEARSAL_IAM=report). */
  readonly enforce: boolean;
  /** DOCKER_HOST of the rehearsal's Docker engine, for projects in privileged mode. */
  readonly dockerHost: string;
  /**
   * The names the rehearsal serves (environment URLs, cluster endpoints) resolve in a build's node
   * processes through this preload and hosts map, as they do in every function.
   */
  readonly vpcResolver?: { readonly preload: string; readonly hostsFile: string };
  readonly log?: (line: string) => void;
}

class DeniedByIam extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.TaskFailed';
  }
}

export function codeBuildIntegration(options: CodeBuildEmulatorOptions): TaskIntegration {
  let buildNumber = 0;
  return {
    async run(request: IntegrationRequest): Promise<unknown> {
      const params = request.parameters as Record<string, any>;
      const projectId = options.model
        .ofType('AWS::CodeBuild::Project')
        .find((id) => options.model.physicalName(id) === params.ProjectName);
      if (!projectId) {
        const e = new Error(
          `Project cannot be found: arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${params.ProjectName}`,
        );
        e.name = 'CodeBuild.ResourceNotFoundException';
        throw e;
      }
      const project = options.model.resolve(options.model.resources[projectId].Properties);
      const projectArn = `arn:${PARTITION}:codebuild:${REGION}:${ACCOUNT}:project/${project.Name}`;
      const smRole = options.model.stateMachine.roleArn;
      const rule = `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:rule/StepFunctionsGetEventForCodeBuildStartBuildRule`;
      for (const [action, resource] of [
        ['events:PutTargets', rule],
        ['events:PutRule', rule],
        ['events:DescribeRule', rule],
        ['codebuild:StartBuild', projectArn],
        ['codebuild:BatchGetBuilds', projectArn],
        [
          'codebuild:BatchGetReports',
          `arn:${PARTITION}:codebuild:${REGION}:${ACCOUNT}:report-group/${project.Name}-*`,
        ],
      ]) {
        const call = await options.iam.check('state machine', smRole, { action, resource });
        if (call.decision === 'Denied' && options.enforce)
          throw new DeniedByIam(`the state machine role may not ${action} on ${resource}`);
      }
      const buildId = `${project.Name}:${randomUUID()}`;
      buildNumber += 1;
      const { status, exported } = await runBuild(options, project, params, buildId, buildNumber);
      const build = {
        Id: buildId,
        Arn: `arn:${PARTITION}:codebuild:${REGION}:${ACCOUNT}:build/${buildId}`,
        BuildNumber: buildNumber,
        BuildStatus: status,
        ProjectName: project.Name,
        SourceVersion: params.SourceVersion,
        ResolvedSourceVersion: params.SourceVersion,
        ...(exported.length ? { ExportedEnvironmentVariables: exported } : {}),
      };
      if (status !== 'SUCCEEDED') {
        const e = new Error(JSON.stringify({ Build: build }));
        e.name = 'States.TaskFailed';
        throw e;
      }
      return { Build: build };
    },
  };
}

const PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;

export interface BuildOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly exported: Array<{ Name: string; Value: string }>;
  /** The first failed phase and CodeBuild's message for it, as BatchGetBuilds reports it. */
  readonly failed?: { readonly phase: string; readonly message: string };
}

/**
 * One build of `project` (its resolved template properties) with the request's overrides, in a
 * fresh directory: the commit checked out for a CODECOMMIT source, nothing for NO_SOURCE.
 * SECRETS_MANAGER variables are resolved as CodeBuild does, with the project's service role (a
 * denied or missing secret fails the build before any phase, as it fails PROVISIONING).
 */
export async function runBuild(
  options: CodeBuildEmulatorOptions,
  project: any,
  params: Record<string, any>,
  buildId: string,
  buildNumber: number,
): Promise<BuildOutcome> {
  const work = mkdtempSync(join(tmpdir(), 'tollgate-rehearsal-build-'));
  const dir = join(work, 'src');
  mkdirSync(dir);
  try {
    if (project.Source.Type !== 'NO_SOURCE') {
      const repoName =
        String(project.Source.Location ?? '')
          .split('/')
          .pop() ?? '';
      const repo = options.repositories[repoName];
      if (!repo) throw new Error(`no local repository stands in for CodeCommit "${repoName}"`);
      await sh(
        `git clone --quiet "${repo}" . && git checkout --quiet "${params.SourceVersion}"`,
        dir,
        process.env,
      );
    }
    const spec = JSON.parse(project.Source.BuildSpec);
    if (String(spec.version) !== '0.2')
      throw new Error(`buildspec version ${spec.version}: only 0.2 is modelled`);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: join(work, 'home'),
      CODEBUILD_BUILD_ID: buildId,
      CODEBUILD_BUILD_NUMBER: String(buildNumber),
      CODEBUILD_RESOLVED_SOURCE_VERSION: params.SourceVersion,
      CODEBUILD_SRC_DIR: dir,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ENDPOINT_URL: options.endpoint,
      AWS_ACCESS_KEY_ID: accessKeyFor(project.ServiceRole),
      AWS_SECRET_ACCESS_KEY: 'rehearsal',
      AWS_SESSION_TOKEN: 'rehearsal-codebuild',
      ...Object.fromEntries(Object.entries(spec.env?.variables ?? {}).map(([k, v]) => [k, String(v)])),
    };
    for (const v of [
      ...(project.Environment.EnvironmentVariables ?? []),
      ...(params.EnvironmentVariablesOverride ?? []),
    ]) {
      if (v.Type === 'SECRETS_MANAGER') {
        const secret = await secretValue(options.endpoint, project.ServiceRole, String(v.Value));
        if ('denied' in secret)
          return {
            status: 'FAILED',
            exported: [],
            failed: { phase: 'PROVISIONING', message: `Secrets Manager error: ${secret.denied}` },
          };
        env[v.Name] = secret.value;
      } else env[v.Name] = String(v.Value);
    }
    if (options.vpcResolver) {
      env.NODE_OPTIONS = `--import=${options.vpcResolver.preload}`;
      env.TOLLGATE_REHEARSAL_HOSTS = options.vpcResolver.hostsFile;
    }
    if (project.Environment.PrivilegedMode) {
      const bin = join(work, 'bin');
      mkdirSync(bin);
      const cli = join(import.meta.dirname, 'docker-cli.mjs');
      writeFileSync(join(bin, 'docker'), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
      chmodSync(join(bin, 'docker'), 0o755);
      env.PATH = `${bin}:${env.PATH}`;
      env.DOCKER_HOST = options.dockerHost;
      env.DOCKER_CONFIG = join(work, 'home', '.docker');
    }
    const names: string[] = spec.env?.['exported-variables'] ?? [];
    const exportFile = join(work, 'exported');
    const script = buildScript(spec, names, exportFile);
    const shell = spec.env?.shell ?? 'bash';
    if (shell !== 'bash') throw new Error(`buildspec env.shell "${shell}": only bash is modelled`);
    let failure: string | undefined;
    const code = await sh(script, dir, env, (line) => {
      const failed =
        /^\[codebuild\] \[Container\] command (\d+) of phase (\w+) did not exit successfully: (.*)$/.exec(
          line,
        );
      if (failed && !failure)
        failure = `${failed[2]}|Error while executing command ${failed[1]}. Reason: ${failed[3]}`;
      options.log?.(line);
    });
    // A command that exits the shell leaves no file: the build failed and exports nothing.
    const values = existsSync(exportFile) ? readFileSync(exportFile, 'utf8').split('\0') : [];
    const exported = names.map((Name, i) => ({ Name, Value: values[i] ?? '' }));
    if (code === 0) return { status: 'SUCCEEDED', exported };
    const [phase = 'BUILD', message = `exit status ${code}`] = failure?.split('|') ?? [];
    return { status: 'FAILED', exported, failed: { phase: phase.toUpperCase(), message } };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * One bash script for the whole build: each command is eval'd in the same shell, its status
 * checked as CodeBuild does; the exported variables are written NUL-separated at the end.
 */
function buildScript(spec: any, exported: readonly string[], exportFile: string): string {
  const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
  const lines = ['tollgate_failed=', 'tollgate_skip='];
  for (const phase of PHASES) {
    const commands: string[] = spec.phases?.[phase]?.commands ?? [];
    if (!commands.length) continue;
    // post_build runs after a failed build phase; nothing runs after a failed install or pre_build.
    lines.push(
      phase === 'post_build' ? 'if [ -z "$tollgate_skip" ]; then' : 'if [ -z "$tollgate_failed" ]; then',
    );
    lines.push('  tollgate_phase_ok=1');
    commands.forEach((command, i) => {
      const where = `command ${i + 1} of phase ${phase}`;
      lines.push(
        `  if [ -n "$tollgate_phase_ok" ]; then eval ${quote(command)}; tollgate_status=$?`,
        '    if [ $tollgate_status -ne 0 ]; then',
        `      echo "[Container] ${where} did not exit successfully: exit status $tollgate_status" >&2`,
        `      tollgate_phase_ok=; tollgate_failed=1${phase === 'build' ? '' : '; tollgate_skip=1'}`,
        '    fi',
        '  fi',
      );
    });
    lines.push('fi');
  }
  lines.push(`: > ${quote(exportFile)}`);
  for (const name of exported) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new Error(`buildspec exported-variables: "${name}" is not a variable name`);
    lines.push(`printf '%s\\0' "\${${name}-}" >> ${quote(exportFile)}`);
  }
  lines.push('[ -z "$tollgate_failed" ]');
  return lines.join('\n');
}

/** GetSecretValue signed as `roleArn` through the rehearsal's proxy, so IAM decides as it would. */
async function secretValue(
  endpoint: string,
  roleArn: string,
  secretId: string,
): Promise<{ value: string } | { denied: string }> {
  const client = new SecretsManagerClient({
    endpoint,
    region: REGION,
    credentials: {
      accessKeyId: accessKeyFor(roleArn),
      secretAccessKey: 'rehearsal',
      sessionToken: 'rehearsal-codebuild',
    },
  });
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return { value: out.SecretString ?? '' };
  } catch (error) {
    return { denied: (error as Error).message.split('\n')[0] ?? String(error) };
  }
}

function sh(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  log?: (line: string) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    // No -e: the build script checks each command's status itself, as CodeBuild does.
    const child = spawn('bash', ['-c', command], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const s of [child.stdout, child.stderr])
      s.on('data', (c: Buffer) => {
        for (const line of c.toString('utf8').split('\n')) if (line.trim()) log?.(`[codebuild] ${line}`);
      });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
