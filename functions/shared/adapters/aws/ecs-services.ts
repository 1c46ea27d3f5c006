import {
  type Deployment,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type Service,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { TollgateConfig } from '../../config/schema.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';

/*
 * What the ECS deployer and the ELB traffic router both read: an environment's services, and the
 * release a task definition carries as a tag (so any Lambda container can answer which release a
 * service runs without a store of its own).
 */

export const RELEASE_TAG = 'tollgate:release';
export const KEY_TAG = 'tollgate:deploy-key';
/**
 * The task definition the service ran when this revision was rolled out: for Tollgate's first
 * release onto an existing service, the service's own, which is where a rollback with no earlier
 * Tollgate release goes back to.
 */
export const PREVIOUS_TAG = 'tollgate:previous-task-definition';

type EcsDeploy = Extract<TollgateConfig['environments'][number]['deploy'], { type: 'ecs' }>;

export interface EcsTarget {
  readonly name: string;
  readonly cluster: string;
  readonly service: string;
  readonly containerName: string;
  readonly canary?: EcsDeploy['canary'];
}

/** The ECS environment `environment` of `pipeline`; a clear error for anything else. */
export function ecsTarget(config: TollgateConfig, pipeline: string, environment: string): EcsTarget {
  if (pipeline !== config.name) {
    throw new InvalidInputError(
      `pipeline "${pipeline}" is not served here (this one serves "${config.name}")`,
    );
  }
  const env = config.environments.find((e) => e.name === environment);
  if (!env) {
    const known = config.environments.map((e) => e.name).join(', ');
    throw new InvalidInputError(`environment "${environment}" is not in the config (known: ${known})`);
  }
  if (env.deploy.type !== 'ecs') {
    throw new InvalidInputError(`environment "${environment}" deploys to ${env.deploy.type}, not ECS`);
  }
  return { name: env.name, ...env.deploy };
}

export async function describeService(ecs: ECSClient, cluster: string, name: string): Promise<Service> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
  const service = out.services?.find((s) => s.serviceName === name || s.serviceArn === name);
  // DescribeServices reports a missing service under `failures` instead of throwing.
  if (!service || service.status === 'INACTIVE') {
    const why = out.failures?.[0]?.reason ?? service?.status ?? 'MISSING';
    throw new NotFoundError(`ECS service ${name} in cluster ${cluster} is not available (${why})`);
  }
  return service;
}

export async function describeTaskDefinition(
  ecs: ECSClient,
  arn: string,
): Promise<{ taskDefinition: TaskDefinition; tags: Tag[] }> {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
    if (!out.taskDefinition) throw new NotFoundError(`task definition ${arn} does not exist`);
    return { taskDefinition: out.taskDefinition, tags: out.tags ?? [] };
  } catch (error) {
    if ((error as Error).name === 'ClientException') {
      throw new NotFoundError(`task definition ${arn} does not exist`, { cause: error });
    }
    throw error;
  }
}

export function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((t) => t.key === key)?.value;
}

/** The release a task definition was registered for (undefined for one Tollgate did not register). */
export async function releaseOf(ecs: ECSClient, taskDefinitionArn: string): Promise<string | undefined> {
  return tagValue((await describeTaskDefinition(ecs, taskDefinitionArn)).tags, RELEASE_TAG);
}

/** The newest deployment that completed: during a rollout, still the old one. */
function completedDeployment(service: Service): Deployment | undefined {
  const deployments = service.deployments ?? [];
  return (
    deployments.find((d) => d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED') ??
    deployments.find((d) => d.rolloutState === 'COMPLETED')
  );
}

/** The release of the newest deployment that completed: during a rollout, still the old one. */
export async function servingVersion(ecs: ECSClient, service: Service): Promise<string | undefined> {
  const completed = completedDeployment(service);
  return completed?.taskDefinition ? releaseOf(ecs, completed.taskDefinition) : undefined;
}
