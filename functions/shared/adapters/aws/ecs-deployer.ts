import { createHash } from 'node:crypto';
import {
  type Deployment,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
  type Tag,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { TollgateConfig } from '../../config/schema.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import type { Deployer, DeploymentStatus, DeployRequest, RevertRequest } from '../../ports/deployer.js';
import { releaseEnvironment, withReleaseEnvironment } from '../../release-environment.js';
import {
  describeService,
  describeTaskDefinition,
  type EcsTarget,
  ecsTarget,
  KEY_TAG,
  PREVIOUS_TAG,
  RELEASE_TAG,
  releaseOf,
  servingVersion,
  tagValue,
} from './ecs-services.js';

/** `registry[:port]/repository`, no tag or digest: the deployer appends `@<digest>`. */
const IMAGE_REPOSITORY_URI = /^[a-z0-9.-]+(?::\d+)?\/[a-z0-9]+(?:[._/-][a-z0-9]+)*$/;
/** The last part of a deployment id that ran on the environment's canary service. */
const CANARY_MARK = 'canary';

/**
 * The ECS Deployer. A rollout registers a new task definition revision (a copy of the service's
 * current one with the app container pinned to `<Tollgate's repository>@<image digest>`, so a moved
 * tag can never change what runs) and points the service at it. Rollout state comes from the service's
 * `deployments[]`: `rolloutState` COMPLETED/FAILED/IN_PROGRESS, which the deployment circuit breaker
 * drives. The release version and the idempotency key travel as task definition tags, so any
 * Lambda container can answer `current` and recognise a repeated `start`.
 *
 * In `canary` mode (an environment with `deploy.canary`) the revision goes to the canary service,
 * scaled to the environment service's task count, instead: its target group has weight 0 until the
 * traffic router shifts some, so the serving release keeps all traffic while the canary starts.
 *
 * Deployment ids are `ecs|<env>|<ECS deployment id>|<task definition ARN>[|canary]`: ECS drops
 * finished deployments from the list, and the task definition tells a replaced rollout from a
 * completed one; the mark says which of the environment's two services ran it.
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
    if (request.mode !== undefined && request.mode !== 'replace' && request.mode !== 'canary') {
      throw new InvalidInputError(`deploy mode "${String(request.mode)}" is not replace or canary`);
    }
    if (request.mode === 'canary' && !target.canary) {
      throw new InvalidInputError(
        `environment "${target.name}" has no deploy.canary, so a canary cannot start beside ${target.service}`,
      );
    }
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
    const marked = parts.length === 5 && parts[4] === CANARY_MARK;
    if ((parts.length !== 4 && !marked) || parts[0] !== 'ecs' || !parts[2] || !parts[3]) {
      throw new InvalidInputError(
        `"${deploymentId}" is not an ECS deployment id (ecs|<env>|<deployment>|<task definition>[|canary])`,
      );
    }
    const [, environment, ecsId, taskDefinitionArn] = parts as [string, string, string, string];
    const target = this.target(this.config.name, environment);
    if (marked && !target.canary) {
      throw new InvalidInputError(`"${deploymentId}" ran on a canary service, but "${environment}" has none`);
    }
    const serviceName = marked ? target.canary!.service : target.service;
    const service = await describeService(this.ecs, target.cluster, serviceName);
    // What the environment serves is its own service's release, also while a canary starts beside it.
    const serving = await servingVersion(
      this.ecs,
      marked ? await describeService(this.ecs, target.cluster, target.service) : service,
    );
    const deployment = service.deployments?.find((d) => d.id === ecsId);
    if (deployment) return { deploymentId, ...this.stateOf(deployment, serviceName), serving };
    await describeTaskDefinition(this.ecs, taskDefinitionArn); // NotFound for an id that was never issued
    const completed = service.deployments?.find(
      (d) => d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED',
    );
    if (completed?.taskDefinition === taskDefinitionArn) return { deploymentId, state: 'HEALTHY', serving };
    return {
      deploymentId,
      state: 'FAILED',
      reason: `deployment ${ecsId} is no longer listed on ${serviceName}; ECS replaced it (for example a circuit-breaker rollback)`,
      serving,
    };
  }

  async current(pipeline: string, environment: string): Promise<string | undefined> {
    const target = this.target(pipeline, environment);
    return servingVersion(this.ecs, await describeService(this.ecs, target.cluster, target.service));
  }

  /**
   * Points the service back at the task definition recorded on the failed release's revision (no
   * `stop`: a rollback never scales a service to zero). Undefined when no revision of the failed
   * release is on the service any more: it never got there, or ECS's circuit breaker already
   * rolled it back. A canary that never completed left the service alone, so it is undefined too.
   */
  async revert(request: RevertRequest): Promise<{ deploymentId: string; restored: string } | undefined> {
    const target = this.target(request.pipeline, request.environment);
    const service = await describeService(this.ecs, target.cluster, target.service);
    const arns = new Set(
      [service.taskDefinition, ...(service.deployments ?? []).map((d) => d.taskDefinition)].filter(
        (a): a is string => Boolean(a),
      ),
    );
    let failed: { arn: string; tags: Tag[] } | undefined;
    for (const arn of arns) {
      const { tags } = await describeTaskDefinition(this.ecs, arn);
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
    const service = await describeService(this.ecs, target.cluster, target.service);
    const serving = await servingVersion(this.ecs, service);
    // With nothing serving yet there is no baseline to compare with: the first release replaces.
    const canary = request.mode === 'canary' && serving !== undefined ? target.canary : undefined;
    const into = canary ? await describeService(this.ecs, target.cluster, canary.service) : service;
    for (const deployment of into.deployments ?? []) {
      if (!deployment.taskDefinition) continue;
      const { tags } = await describeTaskDefinition(this.ecs, deployment.taskDefinition);
      if (tagValue(tags, KEY_TAG) === key) return { deploymentId: idOf(target, deployment, Boolean(canary)) };
    }
    if (canary) await this.refuseBusyCanary(into, request.release.version);
    if (!service.taskDefinition)
      throw new NotFoundError(`service ${target.service} has no task definition to base a revision on`);
    const arn = await this.register(target, request, key, service);
    const updated = await this.ecs.send(
      new UpdateServiceCommand({
        cluster: target.cluster,
        service: into.serviceName ?? target.service,
        taskDefinition: arn,
        // The canary idles at 0 tasks; it starts as large as the service it may take over from.
        ...(canary ? { desiredCount: Math.max(1, service.desiredCount ?? 1) } : {}),
      }),
    );
    const primary = updated.service?.deployments?.find(
      (d) => d.status === 'PRIMARY' && d.taskDefinition === arn,
    );
    if (!primary?.id)
      throw new Error(`UpdateService on ${into.serviceName} did not report a deployment for ${arn}`);
    return { deploymentId: idOf(target, primary, Boolean(canary)) };
  }

  /**
   * A canary service that still runs tasks of another release is a canary nobody aborted or
   * completed: its target group may hold traffic, so a new revision there would take that share
   * at once, untested.
   */
  private async refuseBusyCanary(canary: Service, version: string): Promise<void> {
    if (!canary.desiredCount || !canary.taskDefinition) return;
    const running = await releaseOf(this.ecs, canary.taskDefinition);
    if (running === version) return;
    throw new InvalidInputError(
      `canary service ${canary.serviceName} still runs ${canary.desiredCount} task(s) of ${running ?? 'a release Tollgate did not start'}; abort or complete that canary first`,
    );
  }

  /** Registers the service's task definition again with the release's image, environment and tags. */
  private async register(
    target: EcsTarget,
    request: DeployRequest,
    key: string,
    service: Service,
  ): Promise<string> {
    const { taskDefinition: base } = await describeTaskDefinition(this.ecs, service.taskDefinition!);
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
        ?.taskDefinition ?? service.taskDefinition!;
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
    return arn;
  }

  private stateOf(deployment: Deployment, service: string): Pick<DeploymentStatus, 'state' | 'reason'> {
    if (deployment.rolloutState === 'COMPLETED') return { state: 'HEALTHY' };
    if (deployment.rolloutState === 'FAILED') {
      const why = deployment.rolloutStateReason ?? 'the rollout failed';
      return {
        state: 'FAILED',
        reason: `${service}: ${why} (${deployment.failedTasks ?? 0} failed tasks)`,
      };
    }
    return { state: 'IN_PROGRESS' };
  }

  private target(pipeline: string, environment: string): EcsTarget {
    return ecsTarget(this.config, pipeline, environment);
  }
}

function idOf(target: EcsTarget, deployment: Deployment, canary = false): string {
  const id = `ecs|${target.name}|${deployment.id}|${deployment.taskDefinition}`;
  return canary ? `${id}|${CANARY_MARK}` : id;
}

/** `repo:tag` or `repo@sha256:…` -> `repo`; a registry port (`host:5000/repo`) is kept. */
export function repositoryOf(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(0, at);
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(0, colon) : image;
}
