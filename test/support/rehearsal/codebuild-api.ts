// biome-ignore-all lint/suspicious/noExplicitAny: CodeBuild request and response JSON
/**
 * CodeBuild's API for a function that starts builds itself (run-tests' CodeBuildTestRunner), on
 * the same build runner as the `.sync` integration (codebuild-emulator.ts): the template's
 * project, buildspec and service role, the real `aws` CLI through the recording proxy.
 *
 * Models: StartBuild (the project by name, EnvironmentVariablesOverride, the same build again for a
 * known idempotencyToken) returning IN_PROGRESS at once while the build runs in the background;
 * BatchGetBuilds with buildStatus, and on failure the failed phase with CodeBuild's message in its
 * contexts; unknown ids in buildsNotFound. The caller's IAM is checked by the proxy before a call
 * gets here (iam-requests.ts: both actions on the project's ARN).
 *
 * BatchGetBuilds of a running build holds up to 2 s (see hold).
 *
 * Does not model: timeoutInMinutesOverride (builds are not timed out), StopBuild, queueing,
 * logs, or any other CodeBuild action (UnknownOperationException).
 */
import { randomUUID } from 'node:crypto';
import { AwsApiError, type AwsJsonService } from '../../../runtime/api/aws-service.js';
import { type BuildOutcome, type CodeBuildEmulatorOptions, runBuild } from './codebuild-emulator.js';
import { ACCOUNT, PARTITION, REGION } from './template-model.js';

const HOLD_MS = 2_000;

interface StoredBuild {
  readonly id: string;
  readonly number: number;
  outcome?: BuildOutcome;
}

export class CodeBuildApi implements AwsJsonService {
  readonly targetPrefix = 'CodeBuild_20161006';
  readonly operations: ReadonlySet<string> = new Set(['StartBuild', 'BatchGetBuilds']);
  private readonly builds = new Map<string, StoredBuild>();
  private readonly byToken = new Map<string, string>();
  private readonly running = new Set<Promise<unknown>>();
  private number = 0;

  constructor(private readonly options: CodeBuildEmulatorOptions) {}

  async dispatch(operation: string, request: any): Promise<unknown> {
    switch (operation) {
      case 'StartBuild':
        return this.start(request);
      case 'BatchGetBuilds':
        await this.hold(request.ids ?? []);
        return {
          builds: (request.ids ?? []).flatMap((id: string) => {
            const b = this.builds.get(id);
            return b ? [this.describe(b)] : [];
          }),
          buildsNotFound: (request.ids ?? []).filter((id: string) => !this.builds.has(id)),
        };
      default:
        throw new AwsApiError(
          'UnknownOperationException',
          `the CodeBuild emulator does not serve ${operation}`,
        );
    }
  }

  /**
   * A poll of a running build waits up to HOLD_MS for it to end: the compressed clock skips the
   * Wait between two polls, while a build takes real seconds, so without it a run would use up its
   * poll budget (sized for real Waits) long before the build ends. ProcessTestRunner's pollHoldMs
   * does the same for the local engine under a fake clock.
   */
  private async hold(ids: readonly string[]): Promise<void> {
    const running = () => ids.some((id) => this.builds.has(id) && !this.builds.get(id)!.outcome);
    for (let waited = 0; running() && waited < HOLD_MS; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Waits for every build still running (the rehearsal's close). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private start(request: any) {
    const known = request.idempotencyToken ? this.byToken.get(request.idempotencyToken) : undefined;
    if (known) return { build: this.describe(this.builds.get(known)!) };
    const model = this.options.model;
    const projectId = model
      .ofType('AWS::CodeBuild::Project')
      .find((id) => model.physicalName(id) === request.projectName);
    if (!projectId)
      throw new AwsApiError(
        'ResourceNotFoundException',
        `Project cannot be found: arn:${PARTITION}:codebuild:${REGION}:${ACCOUNT}:project/${request.projectName}`,
      );
    const project = model.resolve(model.resources[projectId].Properties);
    this.number += 1;
    const build: StoredBuild = { id: `${project.Name}:${randomUUID()}`, number: this.number };
    this.builds.set(build.id, build);
    if (request.idempotencyToken) this.byToken.set(request.idempotencyToken, build.id);
    // The API spells its fields in camelCase; the .sync integration's Arguments (what runBuild
    // reads) in PascalCase.
    const params = {
      EnvironmentVariablesOverride: (request.environmentVariablesOverride ?? []).map((v: any) => ({
        Name: v.name,
        Value: v.value,
        Type: v.type ?? 'PLAINTEXT',
      })),
    };
    const run = runBuild(this.options, project, params, build.id, build.number)
      .catch((error: Error) => ({
        status: 'FAILED' as const,
        exported: [],
        failed: { phase: 'PROVISIONING', message: error.message.split('\n')[0] ?? String(error) },
      }))
      .then((outcome) => {
        build.outcome = outcome;
      });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return { build: this.describe(build) };
  }

  private describe(build: StoredBuild) {
    const outcome = build.outcome;
    return {
      id: build.id,
      arn: `arn:${PARTITION}:codebuild:${REGION}:${ACCOUNT}:build/${build.id}`,
      buildNumber: build.number,
      buildStatus: outcome?.status ?? 'IN_PROGRESS',
      currentPhase: outcome ? 'COMPLETED' : 'BUILD',
      phases: outcome?.failed
        ? [
            {
              phaseType: outcome.failed.phase,
              phaseStatus: 'FAILED',
              contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: outcome.failed.message }],
            },
          ]
        : [],
    };
  }
}
