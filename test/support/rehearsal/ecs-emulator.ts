// biome-ignore-all lint/suspicious/noExplicitAny: ECS request and response JSON
/**
 * ECS, emulated for the calls Tollgate's deployer makes (moto finishes every rollout at once, so a
 * poll loop is never exercised against it).
 *
 * Models: task definition families and revisions with their tags (RegisterTaskDefinition,
 * DescribeTaskDefinition with include TAGS, ClientException for an unknown one); services with
 * `deployments[]` as ECS reports them: UpdateService to a new task definition adds a PRIMARY
 * deployment IN_PROGRESS and demotes the previous one to ACTIVE; the rollout completes after
 * `rolloutPolls` further DescribeServices calls (or FAILED, with a reason, when `failRollout` says
 * so), and only then is the old deployment dropped, as ECS drops finished deployments; desiredCount
 * changes. The `onServing` hook is told which task definition each service serves once a rollout
 * completes (the rehearsal starts the release's app for smoke tests there), `onStopped` when a
 * service is scaled to 0 tasks.
 *
 * Does not model: tasks, capacity, load balancers and draining, the deployment circuit breaker's
 * own rollback, deployment configuration, service events, pagination, or any other ECS action
 * (they answer UnknownOperationException).
 */
import { randomUUID } from 'node:crypto';
import { AwsApiError, type AwsJsonService } from '../../../runtime/api/aws-service.js';
import { ACCOUNT, PARTITION, REGION } from './template-model.js';

interface StoredTaskDefinition {
  readonly taskDefinition: any;
  readonly tags: Array<{ key: string; value: string }>;
}

interface StoredService {
  readonly serviceArn: string;
  readonly serviceName: string;
  readonly clusterArn: string;
  taskDefinition: string;
  desiredCount: number;
  deployments: any[];
  /** DescribeServices calls left before the PRIMARY rollout finishes. */
  pollsLeft: number;
}

export interface EcsEmulatorOptions {
  /** DescribeServices calls an IN_PROGRESS rollout takes to finish. @default 2 */
  readonly rolloutPolls?: number;
  /** A reason makes the rollout of that task definition FAILED instead of COMPLETED. */
  readonly failRollout?: (service: string, taskDefinition: any) => string | undefined;
  readonly onServing?: (service: string, taskDefinition: any) => Promise<void>;
  /** Told when a service is scaled to 0 tasks (an aborted or completed canary's service). */
  readonly onStopped?: (service: string) => Promise<void>;
}

const arn = (resource: string) => `arn:${PARTITION}:ecs:${REGION}:${ACCOUNT}:${resource}`;

export class EcsEmulator implements AwsJsonService {
  readonly targetPrefix = 'AmazonEC2ContainerServiceV20141113';
  private readonly definitions = new Map<string, StoredTaskDefinition>();
  private readonly revisions = new Map<string, number>();
  private readonly services = new Map<string, StoredService>();

  constructor(private readonly options: EcsEmulatorOptions = {}) {}

  async dispatch(operation: string, request: any): Promise<unknown> {
    switch (operation) {
      case 'RegisterTaskDefinition':
        return this.register(request);
      case 'DescribeTaskDefinition':
        return this.describeTaskDefinition(request);
      case 'DescribeServices':
        return this.describeServices(request);
      case 'UpdateService':
        return this.updateService(request);
      default:
        throw new AwsApiError('UnknownOperationException', `the ECS emulator does not serve ${operation}`);
    }
  }

  /**
   * Set-up: a service already running `taskDefinition`, as a platform team hands it over; a canary
   * service idles at `desiredCount` 0 (no task, so nothing serves).
   */
  async createService(cluster: string, name: string, taskDefinition: any, desiredCount = 1): Promise<string> {
    const { taskDefinition: td } = this.register({ ...taskDefinition, tags: [] });
    const service: StoredService = {
      serviceArn: arn(`service/${cluster}/${name}`),
      serviceName: name,
      clusterArn: arn(`cluster/${cluster}`),
      taskDefinition: td.taskDefinitionArn,
      desiredCount,
      deployments: [this.deployment(td.taskDefinitionArn, 'PRIMARY', 'COMPLETED', desiredCount)],
      pollsLeft: 0,
    };
    this.services.set(`${cluster}/${name}`, service);
    if (desiredCount > 0) await this.options.onServing?.(name, td);
    return td.taskDefinitionArn;
  }

  /** The tasks the service is asked to run (0 for an idle canary service). */
  desiredCount(cluster: string, name: string): number | undefined {
    return this.services.get(`${cluster}/${name}`)?.desiredCount;
  }

  /** The task definition the service's completed PRIMARY deployment runs. */
  serving(cluster: string, name: string): any {
    const s = this.services.get(`${cluster}/${name}`);
    const d = s?.deployments.find((x) => x.status === 'PRIMARY' && x.rolloutState === 'COMPLETED');
    return d ? this.definitions.get(d.taskDefinition)?.taskDefinition : undefined;
  }

  private register(request: any) {
    if (!request.family || !Array.isArray(request.containerDefinitions))
      throw new AwsApiError('ClientException', 'family and containerDefinitions are required');
    const revision = (this.revisions.get(request.family) ?? 0) + 1;
    this.revisions.set(request.family, revision);
    const { tags = [], ...rest } = request;
    const taskDefinitionArn = arn(`task-definition/${request.family}:${revision}`);
    const taskDefinition = { ...rest, taskDefinitionArn, revision, status: 'ACTIVE' };
    this.definitions.set(taskDefinitionArn, { taskDefinition, tags });
    return { taskDefinition, tags };
  }

  private find(ref: string): StoredTaskDefinition | undefined {
    if (this.definitions.has(ref)) return this.definitions.get(ref);
    const [family, revision] = ref.replace(/^.*task-definition\//, '').split(':');
    const rev = revision ? Number(revision) : this.revisions.get(family);
    return this.definitions.get(arn(`task-definition/${family}:${rev}`));
  }

  private describeTaskDefinition(request: any) {
    const found = this.find(String(request.taskDefinition ?? ''));
    if (!found) throw new AwsApiError('ClientException', 'Unable to describe task definition.');
    return {
      taskDefinition: found.taskDefinition,
      ...((request.include ?? []).includes('TAGS') ? { tags: found.tags } : {}),
    };
  }

  private service(request: any, name: string): StoredService | undefined {
    const cluster = String(request.cluster ?? 'default')
      .split('/')
      .pop();
    return this.services.get(`${cluster}/${name.split('/').pop()}`);
  }

  private async describeServices(request: any) {
    const services: any[] = [];
    const failures: any[] = [];
    for (const name of request.services ?? []) {
      const s = this.service(request, name);
      if (!s) {
        failures.push({ arn: arn(`service/${name}`), reason: 'MISSING' });
        continue;
      }
      await this.progress(s);
      services.push(this.view(s));
    }
    return { services, failures };
  }

  private async updateService(request: any) {
    const s = this.service(request, String(request.service));
    if (!s) throw new AwsApiError('ServiceNotFoundException', 'Service not found.');
    if (request.desiredCount !== undefined) {
      if (request.desiredCount === 0 && s.desiredCount > 0) await this.options.onStopped?.(s.serviceName);
      s.desiredCount = request.desiredCount;
    }
    if (request.taskDefinition) {
      const found = this.find(request.taskDefinition);
      if (!found) throw new AwsApiError('ClientException', 'TaskDefinition not found.');
      const td = found.taskDefinition.taskDefinitionArn;
      if (td !== s.taskDefinition) {
        s.taskDefinition = td;
        for (const d of s.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
        s.deployments.unshift(this.deployment(td, 'PRIMARY', 'IN_PROGRESS', s.desiredCount));
        s.pollsLeft = this.options.rolloutPolls ?? 2;
      }
    }
    for (const d of s.deployments) if (d.status === 'PRIMARY') d.desiredCount = s.desiredCount;
    return { service: this.view(s) };
  }

  private async progress(s: StoredService): Promise<void> {
    const primary = s.deployments.find((d) => d.status === 'PRIMARY');
    if (primary?.rolloutState !== 'IN_PROGRESS') return;
    if (s.pollsLeft-- > 0) return;
    const td = this.definitions.get(primary.taskDefinition)?.taskDefinition;
    const reason = this.options.failRollout?.(s.serviceName, td);
    if (reason) {
      primary.rolloutState = 'FAILED';
      primary.rolloutStateReason = reason;
      primary.failedTasks = 1;
      return;
    }
    await this.options.onServing?.(s.serviceName, td);
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = 'ECS deployment completed.';
    primary.runningCount = primary.desiredCount;
    s.deployments = [primary];
  }

  private deployment(taskDefinition: string, status: string, rolloutState: string, desiredCount: number) {
    return {
      id: `ecs-svc/${randomUUID().replace(/-/g, '').slice(0, 19)}`,
      status,
      taskDefinition,
      desiredCount,
      runningCount: rolloutState === 'COMPLETED' ? desiredCount : 0,
      failedTasks: 0,
      rolloutState,
      createdAt: Date.now() / 1000,
    };
  }

  private view(s: StoredService) {
    return {
      serviceArn: s.serviceArn,
      serviceName: s.serviceName,
      clusterArn: s.clusterArn,
      status: 'ACTIVE',
      taskDefinition: s.taskDefinition,
      desiredCount: s.desiredCount,
      runningCount: s.deployments.find((d) => d.status === 'PRIMARY')?.runningCount ?? 0,
      deployments: s.deployments.map((d) => ({ ...d })),
    };
  }
}
