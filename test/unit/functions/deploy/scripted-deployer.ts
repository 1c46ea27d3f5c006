import type { RollbackCapableDeployer } from '../../../../functions/rollback/rollback.js';
import { NotFoundError } from '../../../../functions/shared/errors.js';
import type {
  DeploymentState,
  DeploymentStatus,
  DeployRequest,
} from '../../../../functions/shared/ports/deployer.js';
import type { ReleaseRef } from '../../../../functions/shared/release.js';

/**
 * An in-memory Deployer for unit tests of the task logic (the real adapters have their own
 * contract suite). Every rollout settles on the next poll, to `outcome(release)`.
 */
export class ScriptedDeployer implements RollbackCapableDeployer {
  readonly starts: DeployRequest[] = [];
  readonly stops: string[] = [];
  serving = new Map<string, ReleaseRef>();
  before = new Map<string, ReleaseRef>();
  private readonly deployments = new Map<string, { request: DeployRequest; state: DeploymentState }>();

  constructor(private readonly outcome: (release: ReleaseRef) => 'HEALTHY' | 'FAILED' = () => 'HEALTHY') {}

  async start(request: DeployRequest): Promise<{ deploymentId: string }> {
    const deploymentId = `scripted:${request.idempotencyKey}`;
    if (!this.deployments.has(deploymentId)) {
      this.starts.push(request);
      this.deployments.set(deploymentId, { request, state: 'IN_PROGRESS' });
    }
    return { deploymentId };
  }

  async poll(deploymentId: string): Promise<DeploymentStatus> {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment) throw new NotFoundError(`no deployment ${deploymentId}`);
    const { environment, release } = deployment.request;
    if (deployment.state === 'IN_PROGRESS') {
      deployment.state = this.outcome(release);
      if (deployment.state === 'HEALTHY') {
        const old = this.serving.get(environment);
        if (old) this.before.set(environment, old);
        this.serving.set(environment, release);
      }
    }
    return {
      deploymentId,
      state: deployment.state,
      ...(deployment.state === 'FAILED' ? { reason: `${release.version} is unhealthy` } : {}),
      serving: this.serving.get(environment)?.version,
    };
  }

  async current(_pipeline: string, environment: string): Promise<string | undefined> {
    return this.serving.get(environment)?.version;
  }

  async previous(_pipeline: string, environment: string): Promise<ReleaseRef | undefined> {
    return this.before.get(environment);
  }

  async stop(_pipeline: string, environment: string): Promise<string | undefined> {
    const version = this.serving.get(environment)?.version;
    this.serving.delete(environment);
    if (version) this.stops.push(version);
    return version;
  }
}

export function ref(version: string, hexDigit = 'a'): ReleaseRef {
  return {
    version,
    digest: `sha256:${hexDigit.repeat(64)}`,
    artifactKey: `blobs/sha256/${hexDigit.repeat(64)}`,
    commit: hexDigit.repeat(40),
  };
}
