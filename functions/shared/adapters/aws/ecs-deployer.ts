import { createHash } from 'node:crypto';
import {
  type Deployment,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
  type Tag,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { TollgateConfig } from '../../config/schema.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import type { Deployer, DeploymentStatus, DeployRequest, RevertRequest } from '../../ports/deployer.js';
import { releaseEnvironment, withReleaseEnvironment } from '../../release-environment.js';

const RELEASE_TAG = 'tollgate:release';
/** `registry[:port]/repository`, no tag or digest: the deployer appends `@<digest>`. */
const IMAGE_REPOSITORY_URI = /^[a-z0-9.-]+(?::\d+)?\/[a-z0-9]+(?:[._/-][a-z0-9]+)*$/;
const KEY_TAG = 'tollgate:deploy-key';
/**
 * The task definition the service ran when this revision was rolled out: for Tollgate's first
 * release onto an existing service, the service's own, which is where a rollback with no earlier
 * Tollgate release goes back to.
 */
const PREVIOUS_TAG = 'tollgate:previous-task-definition';

interface EcsTarget {
  readonly name: string;
  readonly cluster: string;
  readonly service: string;
  readonly containerName: string;
}

/**
 * The ECS Deployer. A rollout registers a new task definition revision (a copy of the service's
 * current one with the app container pinned to `<Tollgate's repository>@<image digest>`, so a moved
 * tag can never change what runs) and points the service at it. Rollout state comes from the service's
 * `deployments[]`: `rolloutState` COMPLETED/FAILED/IN_PROGRESS, which the deployment circuit breaker
 * drives. The release version and the idempotency key travel as task definition tags, so any
 * Lambda container can answer `current` and recognise a repeated `start`.
 *
 * Deployment ids are `ecs|<env>|<ECS deployment id>|<task definition ARN>`: ECS drops finished
 * deployments from the list, and the task definition tells a replaced rollout from a completed one.
 */
export class EcsDeployer implements Deployer {
  private readonly inflight = new Map<string, Promise<{ deploymentId: string }>>();

  private readonly config: TollgateConfig;
  private readonly ecs: ECSClient;
  private readonly imageRepositoryUri: string;

  constructor(options: {
    readonly config: TollgateConfig;
    readonly client: ECSClient;
    /**
     * Tollgate's ECR repository (`<account>.dkr.ecr.<region>.<suffix>/<name>`): the build pushed
     * the release's image there, so the digest exists only there, whatever the service ran before.
     */
    readonly imageRepositoryUri: string;
  }) {
    if (
      typeof options.imageRepositoryUri !== 'string' ||
      !IMAGE_REPOSITORY_URI.test(options.imageRepositoryUri)
    )
      throw new InvalidInputError(
        `EcsDeployer imageRepositoryUri "${String(options.imageRepositoryUri)}" is not a repository URI like 111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders`,
      );
    this.config = options.config;
    this.ecs = options.client;
    this.imageRepositoryUri = options.imageRepositoryUri;
  }

  async start(request: DeployRequest): Promise<{ deploymentId: string }> {
    const target = this.target(request.pipeline, request.environment);
    if (!request.release.imageDigest) {
      throw new InvalidInputError(
        `release ${request.release.version} has no image digest; ECS environments need build.image so the build produces one`,
      );
    }
    if (!request.idempotencyKey) throw new InvalidInputError('deploy needs a non-empty idempotencyKey');
    const key = createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 32);
    // Step Functions never runs one state twice at once; this only covers concurrent calls in-process.
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.rollout(target, request, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  async poll(deploymentId: string): Promise<DeploymentStatus> {
    const parts = deploymentId.split('|');
    if (parts.length !== 4 || parts[0] !== 'ecs' || !parts[2] || !parts[3]) {
      throw new InvalidInputError(
        `"${deploymentId}" is not an ECS deployment id (ecs|<env>|<deployment>|<task definition>)`,
      );
    }
    const [, environment, ecsId, taskDefinitionArn] = parts;
    const target = this.target(this.config.name, environment);
    const service = await this.describeService(target);
    const serving = await this.servingVersion(service);
    const deployment = service.deployments?.find((d) => d.id === ecsId);
    if (deployment) return { deploymentId, ...this.stateOf(deployment, target), serving };
    await this.describeTaskDefinition(taskDefinitionArn); // NotFound for an id that was never issued
    const completed = service.deployments?.find(
      (d) => d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED',
    );
    if (completed?.taskDefinition === taskDefinitionArn) return { deploymentId, state: 'HEALTHY', serving };
    return {
      deploymentId,
      state: 'FAILED',
      reason: `deployment ${ecsId} is no longer listed on ${target.service}; ECS replaced it (for example a circuit-breaker rollback)`,
      serving,
    };
  }

  async current(pipeline: string, environment: string): Promise<string | undefined> {
    return this.servingVersion(await this.describeService(this.target(pipeline, environment)));
  }

  /**
   * Points the service back at the task definition recorded on the failed release's revision (no
   * `stop`: a rollback never scales a service to zero). Undefined when no revision of the failed
   * release is on the service any more: it never got there, or ECS's circuit breaker already
   * rolled it back.
   */
  async revert(request: RevertRequest): Promise<{ deploymentId: string; restored: string } | undefined> {
    const target = this.target(request.pipeline, request.environment);
    const service = await this.describeService(target);
    const arns = new Set(
      [service.taskDefinition, ...(service.deployments ?? []).map((d) => d.taskDefinition)].filter(
        (a): a is string => Boolean(a),
      ),
    );
    let failed: { arn: string; tags: Tag[] } | undefined;
    for (const arn of arns) {
      const { tags } = await this.describeTaskDefinition(arn);
      if (tagValue(tags, RELEASE_TAG) === request.failedVersion) failed = { arn, tags };
    }
    if (!failed) return undefined;
    const previous = tagValue(failed.tags, PREVIOUS_TAG);
    if (!previous) {
      throw new NotFoundError(
        `task definition ${failed.arn} records no previous task definition (${PREVIOUS_TAG}); point ${target.service} back by hand`,
      );
    }
    // A repeated call (or ECS's own rollback) finds the service already going back.
    const already = service.deployments?.find((d) => d.status === 'PRIMARY' && d.taskDefinition === previous);
    if (already) return { deploymentId: idOf(target, already), restored: previous };
    const updated = await this.ecs.send(
      new UpdateServiceCommand({
        cluster: target.cluster,
        service: target.service,
        taskDefinition: previous,
      }),
    );
    const primary = updated.service?.deployments?.find(
      (d) => d.status === 'PRIMARY' && d.taskDefinition === previous,
    );
    if (!primary?.id)
      throw new Error(`UpdateService on ${target.service} did not report a deployment for ${previous}`);
    return { deploymentId: idOf(target, primary), restored: previous };
  }

  private async rollout(
    target: EcsTarget,
    request: DeployRequest,
    key: string,
  ): Promise<{ deploymentId: string }> {
    const service = await this.describeService(target);
    for (const deployment of service.deployments ?? []) {
      if (!deployment.taskDefinition) continue;
      const { tags } = await this.describeTaskDefinition(deployment.taskDefinition);
      if (tagValue(tags, KEY_TAG) === key) return { deploymentId: idOf(target, deployment) };
    }
    if (!service.taskDefinition)
      throw new NotFoundError(`service ${target.service} has no task definition to base a revision on`);
    const { taskDefinition: base } = await this.describeTaskDefinition(service.taskDefinition);
    const containers = base.containerDefinitions ?? [];
    const app = containers.find((c) => c.name === target.containerName);
    if (!app?.image) {
      throw new InvalidInputError(
        `container "${target.containerName}" is not in task definition ${base.family}; check deploy.containerName for ${target.name}`,
      );
    }
    const image = `${this.imageRepositoryUri}@${request.release.imageDigest}`;
    // What the service runs now (the newest completed rollout, else its current definition) is what
    // a rollback with no earlier Tollgate release puts back.
    const previous =
      service.deployments?.find((d) => d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED')
        ?.taskDefinition ?? service.taskDefinition;
    const registered = await this.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: base.family,
        taskRoleArn: base.taskRoleArn,
        executionRoleArn: base.executionRoleArn,
        networkMode: base.networkMode,
        containerDefinitions: containers.map((c) =>
          c.name === target.containerName
            ? {
                ...c,
                image,
                environment: withReleaseEnvironment(
                  c.environment,
                  releaseEnvironment(request.pipeline, request.environment, request.release),
                ),
              }
            : c,
        ),
        volumes: base.volumes,
        placementConstraints: base.placementConstraints,
        requiresCompatibilities: base.requiresCompatibilities,
        cpu: base.cpu,
        memory: base.memory,
        pidMode: base.pidMode,
        ipcMode: base.ipcMode,
        proxyConfiguration: base.proxyConfiguration,
        ephemeralStorage: base.ephemeralStorage,
        runtimePlatform: base.runtimePlatform,
        tags: [
          { key: RELEASE_TAG, value: request.release.version },
          { key: KEY_TAG, value: key },
          { key: 'tollgate:pipeline', value: request.pipeline },
          { key: PREVIOUS_TAG, value: previous },
        ],
      }),
    );
    const arn = registered.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new Error(`RegisterTaskDefinition for ${base.family} returned no ARN`);
    const updated = await this.ecs.send(
      new UpdateServiceCommand({ cluster: target.cluster, service: target.service, taskDefinition: arn }),
    );
    const primary = updated.service?.deployments?.find(
      (d) => d.status === 'PRIMARY' && d.taskDefinition === arn,
    );
    if (!primary?.id)
      throw new Error(`UpdateService on ${target.service} did not report a deployment for ${arn}`);
    return { deploymentId: idOf(target, primary) };
  }

  private stateOf(deployment: Deployment, target: EcsTarget): Pick<DeploymentStatus, 'state' | 'reason'> {
    if (deployment.rolloutState === 'COMPLETED') return { state: 'HEALTHY' };
    if (deployment.rolloutState === 'FAILED') {
      const why = deployment.rolloutStateReason ?? 'the rollout failed';
      return {
        state: 'FAILED',
        reason: `${target.service}: ${why} (${deployment.failedTasks ?? 0} failed tasks)`,
      };
    }
    return { state: 'IN_PROGRESS' };
  }

  /** The release of the newest deployment that completed: during a rollout, still the old one. */
  private async servingVersion(service: Service): Promise<string | undefined> {
    const deployments = service.deployments ?? [];
    const completed =
      deployments.find((d) => d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED') ??
      deployments.find((d) => d.rolloutState === 'COMPLETED');
    if (!completed?.taskDefinition) return undefined;
    const { tags } = await this.describeTaskDefinition(completed.taskDefinition);
    return tagValue(tags, RELEASE_TAG);
  }

  private async describeService(target: EcsTarget): Promise<Service> {
    const out = await this.ecs.send(
      new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }),
    );
    const service = out.services?.find(
      (s) => s.serviceName === target.service || s.serviceArn === target.service,
    );
    // DescribeServices reports a missing service under `failures` instead of throwing.
    if (!service || service.status === 'INACTIVE') {
      const why = out.failures?.[0]?.reason ?? service?.status ?? 'MISSING';
      throw new NotFoundError(
        `ECS service ${target.service} in cluster ${target.cluster} is not available (${why})`,
      );
    }
    return service;
  }

  private async describeTaskDefinition(
    arn: string,
  ): Promise<{ taskDefinition: TaskDefinition; tags: Tag[] }> {
    try {
      const out = await this.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }),
      );
      if (!out.taskDefinition) throw new NotFoundError(`task definition ${arn} does not exist`);
      return { taskDefinition: out.taskDefinition, tags: out.tags ?? [] };
    } catch (error) {
      if ((error as Error).name === 'ClientException') {
        throw new NotFoundError(`task definition ${arn} does not exist`, { cause: error });
      }
      throw error;
    }
  }

  private target(pipeline: string, environment: string): EcsTarget {
    if (pipeline !== this.config.name) {
      throw new InvalidInputError(
        `pipeline "${pipeline}" is not served by this deployer (it serves "${this.config.name}")`,
      );
    }
    const env = this.config.environments.find((e) => e.name === environment);
    if (!env) {
      const known = this.config.environments.map((e) => e.name).join(', ');
      throw new InvalidInputError(`environment "${environment}" is not in the config (known: ${known})`);
    }
    if (env.deploy.type !== 'ecs') {
      throw new InvalidInputError(`environment "${environment}" deploys to ${env.deploy.type}, not ECS`);
    }
    return { name: env.name, ...env.deploy };
  }
}

function idOf(target: EcsTarget, deployment: Deployment): string {
  return `ecs|${target.name}|${deployment.id}|${deployment.taskDefinition}`;
}

function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((t) => t.key === key)?.value;
}

/** `repo:tag` or `repo@sha256:…` -> `repo`; a registry port (`host:5000/repo`) is kept. */
export function repositoryOf(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(0, at);
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(0, colon) : image;
}
