import {
  ClientException,
  type ContainerDefinition,
  type Deployment,
  DescribeServicesCommand,
  type DescribeServicesCommandInput,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandInput,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Tag,
  type TaskDefinition,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import type { AwsStub } from 'aws-sdk-client-mock';

// biome-ignore lint/suspicious/noExplicitAny: aws-sdk-client-mock's stub is generic over every ECS input/output
type EcsStub = AwsStub<any, any, any>;

const REGION_ACCOUNT = 'us-east-1:123456789012';
const $metadata = { httpStatusCode: 400 };

/**
 * A stateful in-memory ECS (rolling-update services with the deployment circuit breaker and
 * rollback on) behind aws-sdk-client-mock. `tick()` is one step of the world: every IN_PROGRESS
 * deployment completes, unless one of its images is in `unhealthyImages`, in which case it FAILS
 * and ECS starts a rollback deployment to the last completed task definition.
 */
export class FakeEcs {
  readonly unhealthyImages = new Set<string>();
  readonly calls: string[] = [];
  private readonly taskDefinitions = new Map<string, { definition: TaskDefinition; tags: Tag[] }>();
  private readonly revisions = new Map<string, number>();
  private readonly services = new Map<string, Service>();
  private nextDeployment = 1;

  constructor(readonly cluster: string) {}

  install(stub: EcsStub): this {
    stub.on(DescribeServicesCommand).callsFake((input) => this.describeServices(input));
    stub.on(DescribeTaskDefinitionCommand).callsFake((input) => this.describeTaskDefinition(input));
    stub.on(RegisterTaskDefinitionCommand).callsFake((input) => this.registerTaskDefinition(input));
    stub.on(UpdateServiceCommand).callsFake((input) => this.updateService(input));
    return this;
  }

  /** Seeds a service already running `containers` (a completed deployment, no Tollgate tags). */
  seedService(serviceName: string, family: string, containers: ContainerDefinition[]): void {
    const { taskDefinition } = this.registerTaskDefinition({ family, containerDefinitions: containers });
    const deployment = this.deployment(taskDefinition.taskDefinitionArn!, 2, 'COMPLETED');
    this.services.set(serviceName, {
      serviceName,
      serviceArn: `arn:aws:ecs:${REGION_ACCOUNT}:service/${this.cluster}/${serviceName}`,
      status: 'ACTIVE',
      desiredCount: 2,
      taskDefinition: taskDefinition.taskDefinitionArn,
      deployments: [deployment],
    });
    this.calls.length = 0; // seeding is not something the code under test did
  }

  tick(): void {
    for (const service of this.services.values()) {
      const deployments = service.deployments ?? [];
      const rolling = deployments.find((d) => d.status === 'PRIMARY' && d.rolloutState === 'IN_PROGRESS');
      if (!rolling) continue;
      const images = this.taskDefinitions
        .get(rolling.taskDefinition!)!
        .definition.containerDefinitions!.map((c) => c.image);
      if (images.some((image) => image && this.unhealthyImages.has(image))) {
        rolling.rolloutState = 'FAILED';
        rolling.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
        rolling.failedTasks = 3;
        rolling.status = 'ACTIVE';
        const lastGood = deployments.find((d) => d.rolloutState === 'COMPLETED');
        if (lastGood) {
          const back = this.deployment(lastGood.taskDefinition!, service.desiredCount ?? 1, 'IN_PROGRESS');
          service.deployments = [back, ...deployments];
          service.taskDefinition = lastGood.taskDefinition;
        }
      } else {
        rolling.rolloutState = 'COMPLETED';
        rolling.rolloutStateReason = 'ECS deployment completed.';
        rolling.runningCount = rolling.desiredCount;
        // ECS drains and then drops every other deployment once the primary one is steady.
        service.deployments = [rolling];
      }
    }
  }

  private describeServices(input: DescribeServicesCommandInput) {
    this.calls.push('DescribeServices');
    if (input.cluster !== this.cluster) {
      throw new ClientException({ message: 'Cluster not found.', $metadata });
    }
    const services: Service[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const name of input.services ?? []) {
      const service = this.services.get(name);
      if (service) services.push(structuredClone(service));
      else
        failures.push({
          arn: `arn:aws:ecs:${REGION_ACCOUNT}:service/${this.cluster}/${name}`,
          reason: 'MISSING',
        });
    }
    return { services, failures };
  }

  private describeTaskDefinition(input: DescribeTaskDefinitionCommandInput) {
    this.calls.push('DescribeTaskDefinition');
    const found = this.taskDefinitions.get(input.taskDefinition ?? '');
    if (!found) throw new ClientException({ message: 'Unable to describe task definition.', $metadata });
    return {
      taskDefinition: structuredClone(found.definition),
      ...(input.include?.includes('TAGS') ? { tags: structuredClone(found.tags) } : {}),
    };
  }

  private registerTaskDefinition(input: RegisterTaskDefinitionCommandInput) {
    this.calls.push('RegisterTaskDefinition');
    if (!input.family || !input.containerDefinitions?.length) {
      throw new ClientException({ message: 'Family and container definitions are required.', $metadata });
    }
    const revision = (this.revisions.get(input.family) ?? 0) + 1;
    this.revisions.set(input.family, revision);
    const arn = `arn:aws:ecs:${REGION_ACCOUNT}:task-definition/${input.family}:${revision}`;
    const { tags = [], ...fields } = input;
    const definition: TaskDefinition = { ...fields, taskDefinitionArn: arn, revision, status: 'ACTIVE' };
    this.taskDefinitions.set(arn, { definition, tags });
    return { taskDefinition: structuredClone(definition), tags };
  }

  private updateService(input: UpdateServiceCommandInput) {
    this.calls.push('UpdateService');
    const service = this.services.get(input.service ?? '');
    if (input.cluster !== this.cluster || !service) {
      throw new ClientException({ message: 'Service not found.', $metadata });
    }
    if (input.desiredCount !== undefined) service.desiredCount = input.desiredCount;
    if (input.taskDefinition) {
      if (!this.taskDefinitions.has(input.taskDefinition)) {
        throw new ClientException({ message: 'TaskDefinition not found.', $metadata });
      }
      for (const d of service.deployments ?? []) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
      const deployment = this.deployment(input.taskDefinition, service.desiredCount ?? 1, 'IN_PROGRESS');
      service.deployments = [deployment, ...(service.deployments ?? [])];
      service.taskDefinition = input.taskDefinition;
    }
    return { service: structuredClone(service) };
  }

  private deployment(
    taskDefinition: string,
    desiredCount: number,
    rolloutState: 'IN_PROGRESS' | 'COMPLETED',
  ): Deployment {
    const id = `ecs-svc/${String(this.nextDeployment++).padStart(19, '0')}`;
    return {
      id,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount,
      runningCount: rolloutState === 'COMPLETED' ? desiredCount : 0,
      failedTasks: 0,
      rolloutState,
    };
  }
}
