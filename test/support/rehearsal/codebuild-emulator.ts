// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation and CodeBuild JSON are untyped
/**
 * CodeBuild's `startBuild.sync` Step Functions integration, emulated (moto has no CodeBuild builds).
 *
 * Models: the state machine role's authorizations the integration documents (StartBuild,
 * BatchGetBuilds, BatchGetReports, and the managed EventBridge rule Step Functions creates for
 * `.sync`); a build of the exact commit (SourceVersion) from the project's source repository, here a
 * local git repository checked out into a fresh directory; the template's own buildspec commands
 * run by `bash` in order with the project's environment variables plus EnvironmentVariablesOverride,
 * signed as the project's service role (the real `aws` CLI, AWS_ENDPOINT_URL at the recording proxy);
 * the build's outcome as the integration returns it (`{Build: {Id, BuildStatus, ...}}`), a failed
 * command failing the task.
 *
 * Does not model: buildspec phases other than `build`, `env`/`artifacts`/`reports` sections, the
 * build image (commands run on this machine with its node), VPC builds, build timeouts, or
 * privileged Docker: a buildspec command calling `docker` runs the local Docker client as it is.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  readonly log?: (line: string) => void;
}

export class DeniedByIam extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.TaskFailed';
  }
}

export function codeBuildIntegration(options: CodeBuildEmulatorOptions): TaskIntegration {
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
      const status = await runBuild(options, project, params, buildId);
      const build = {
        Id: buildId,
        Arn: `arn:${PARTITION}:codebuild:${REGION}:${ACCOUNT}:build/${buildId}`,
        BuildStatus: status,
        ProjectName: project.Name,
        SourceVersion: params.SourceVersion,
        ResolvedSourceVersion: params.SourceVersion,
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

async function runBuild(
  options: CodeBuildEmulatorOptions,
  project: any,
  params: Record<string, any>,
  buildId: string,
): Promise<'SUCCEEDED' | 'FAILED'> {
  const repoName =
    String(project.Source.Location ?? '')
      .split('/')
      .pop() ?? '';
  const repo = options.repositories[repoName];
  if (!repo) throw new Error(`no local repository stands in for CodeCommit "${repoName}"`);
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-rehearsal-build-'));
  try {
    await sh(
      `git clone --quiet "${repo}" . && git checkout --quiet "${params.SourceVersion}"`,
      dir,
      process.env,
    );
    const spec = JSON.parse(project.Source.BuildSpec);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CODEBUILD_BUILD_ID: buildId,
      CODEBUILD_RESOLVED_SOURCE_VERSION: params.SourceVersion,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ENDPOINT_URL: options.endpoint,
      AWS_ACCESS_KEY_ID: accessKeyFor(project.ServiceRole),
      AWS_SECRET_ACCESS_KEY: 'rehearsal',
      AWS_SESSION_TOKEN: 'rehearsal-codebuild',
    };
    for (const v of [
      ...(project.Environment.EnvironmentVariables ?? []),
      ...(params.EnvironmentVariablesOverride ?? []),
    ])
      env[v.Name] = String(v.Value);
    for (const command of spec.phases?.build?.commands ?? []) {
      const code = await sh(command, dir, env, options.log);
      if (code !== 0) {
        options.log?.(`[codebuild] ${command} exited with ${code}`);
        return 'FAILED';
      }
    }
    return 'SUCCEEDED';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sh(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  log?: (line: string) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-eo', 'pipefail', '-c', command], {
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
