import { createHash } from 'node:crypto';
import {
  DescribeTasksCommand,
  type ECSClient,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import type { TollgateConfig } from '../../config/schema.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import type { ReleaseTrials, TrialRequest, TrialStatus } from '../../ports/release-trials.js';
import { describeService, describeTaskDefinition, ecsTarget, servingVersion } from './ecs-services.js';

/** `arn:aws:ecs:<region>:<account>:task/<cluster>/<id>`: the trial id names its cluster. */
const TASK_ARN = /^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task\/([\w-]+)\/[\w-]+$/;
const STARTING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);
const GROUP = 'tollgate-trial:';

/**
 * The previous release as a one-off ECS task (RunTask) beside the environment's service, without
 * traffic: the backward-compatibility check runs it on the migrated database. It runs before the
 * deploy, so the service still runs the release a rollback would put back, and its task definition
 * (registered for that environment, so pointed at that environment's database) is what the trial
 * runs, in the service's own network configuration and capacity. No load balancer reaches it; the
 * smoke tests go to the task's private IP from the function, which runs in the same VPC.
 *
 * RunTask's clientToken (a hash of the idempotency key) makes a repeated start return the same task.
 */
export class EcsReleaseTrials implements ReleaseTrials {
  constructor(private readonly options: { readonly config: TollgateConfig; readonly client: ECSClient }) {
    if (!options?.config || !options.client)
      throw new InvalidInputError('EcsReleaseTrials needs config and client');
  }

  async start(request: TrialRequest): Promise<{ trialId: string }> {
    if (!request.idempotencyKey) throw new InvalidInputError('a trial needs a non-empty idempotencyKey');
    const target = ecsTarget(this.options.config, request.pipeline, request.environment);
    const ecs = this.options.client;
    const service = await describeService(ecs, target.cluster, target.service);
    const serving = await servingVersion(ecs, service);
    if (serving !== request.release.version) {
      throw new NotFoundError(
        `${target.service} runs ${serving ?? 'no Tollgate release'}, not ${request.release.version}, so no task definition of ${request.release.version} is registered for ${target.name}`,
      );
    }
    const completed = service.deployments?.find((d) => d.rolloutState === 'COMPLETED' && d.taskDefinition);
    const taskDefinition = completed?.taskDefinition ?? service.taskDefinition!;
    const out = await ecs.send(
      new RunTaskCommand({
        cluster: target.cluster,
        taskDefinition,
        count: 1,
        clientToken: createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 64),
        startedBy: 'tollgate-trial',
        // The environment travels with the task: poll needs its container's port.
        group: `${GROUP}${target.name}`,
        networkConfiguration: service.networkConfiguration,
        ...(service.capacityProviderStrategy?.length
          ? { capacityProviderStrategy: service.capacityProviderStrategy }
          : { launchType: service.launchType }),
        ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}),
      }),
    );
    const task = out.tasks?.[0];
    if (!task?.taskArn) {
      const why = out.failures?.map((f) => `${f.arn ?? ''} ${f.reason ?? ''}`.trim()).join('; ');
      throw new Error(
        `RunTask of ${taskDefinition} in ${target.cluster} started no task: ${why || 'no reason given'}`,
      );
    }
    return { trialId: task.taskArn };
  }

  async poll(trialId: string): Promise<TrialStatus> {
    const task = await this.describe(trialId);
    if (!task) throw new NotFoundError(`trial task ${trialId} does not exist`);
    const state = task.lastStatus ?? 'PENDING';
    if (STARTING.has(state)) return { trialId, state: 'STARTING' };
    if (state !== 'RUNNING') return { trialId, state: 'FAILED', reason: stoppedReason(task) };
    // A container health check, where the task definition has one, must pass first.
    if (task.healthStatus === 'UNHEALTHY')
      return { trialId, state: 'FAILED', reason: 'the task is UNHEALTHY' };
    if (task.healthStatus === 'UNKNOWN' && task.containers?.some((c) => c.healthStatus === 'UNKNOWN'))
      return { trialId, state: 'STARTING' };
    const address = task.attachments
      ?.flatMap((a) => a.details ?? [])
      .find((d) => d.name === 'privateIPv4Address')?.value;
    const port = await this.containerPort(task);
    if (!address || !port)
      return {
        trialId,
        state: 'FAILED',
        reason: `the trial has no ${address ? 'container port' : 'private IP (awsvpc network mode)'} to run the smoke tests against`,
      };
    return { trialId, state: 'READY', baseUrl: `http://${address}:${port}` };
  }

  async stop(trialId: string): Promise<void> {
    const task = await this.describe(trialId);
    if (!task || task.lastStatus === 'STOPPED') return;
    await this.options.client.send(
      new StopTaskCommand({
        cluster: clusterOf(trialId),
        task: trialId,
        reason: 'Tollgate backward-compatibility check finished',
      }),
    );
  }

  private async describe(trialId: string): Promise<Task | undefined> {
    const out = await this.options.client.send(
      new DescribeTasksCommand({ cluster: clusterOf(trialId), tasks: [trialId] }),
    );
    return out.tasks?.find((t) => t.taskArn === trialId);
  }

  /** The port of the environment's container (deploy.containerName) in the trial's task definition. */
  private async containerPort(task: Task): Promise<number | undefined> {
    const environment = task.group?.startsWith(GROUP) ? task.group.slice(GROUP.length) : undefined;
    if (!environment) return undefined;
    const { containerName } = ecsTarget(this.options.config, this.options.config.name, environment);
    const { taskDefinition } = await describeTaskDefinition(this.options.client, task.taskDefinitionArn!);
    const container = taskDefinition.containerDefinitions?.find((c) => c.name === containerName);
    return container?.portMappings?.[0]?.containerPort;
  }
}

function clusterOf(trialId: string): string {
  const match = TASK_ARN.exec(trialId);
  if (!match)
    throw new InvalidInputError(`"${trialId}" is not an ECS task ARN (arn:aws:ecs:…:task/<cluster>/<id>)`);
  return match[1]!;
}

function stoppedReason(task: Task): string {
  const container = task.containers?.find((c) => c.exitCode !== undefined || c.reason);
  const exit = container
    ? `; ${container.name} ${container.reason ?? `exited ${String(container.exitCode)}`}`
    : '';
  return `the task is ${task.lastStatus}: ${task.stoppedReason ?? 'no reason given'}${exit}`;
}
