import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskName } from '../../functions/task-registry.js';
import { type BuiltStack, buildStack, statementsOfRole } from './stack-fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
type Json = Record<string, any>;

const SYNTH_MS = 300_000;
const actions = (s: Json): string[] => [s.Action].flat();

/**
 * What the backward-compatibility check's ECS trial needs (functions/shared/adapters/aws/
 * ecs-release-trials.ts): the service's task definition, RunTask of it in the environments'
 * clusters only, DescribeTasks/StopTask on their tasks, and the roles the task definition names.
 */
describe('ECS trial grants in the synthesized template', () => {
  let built: BuiltStack;
  let resources: Json;
  beforeAll(() => {
    built = buildStack();
    resources = built.template.toJSON().Resources;
  }, SYNTH_MS);

  const statementsOf = (task: TaskName): Json[] =>
    statementsOfRole(
      resources,
      built.stack.getLogicalId(built.stack.pipeline.functions[task].role.node.defaultChild as CfnRole),
    );
  const allows = (task: TaskName, action: string) =>
    statementsOf(task).filter((s) => actions(s).includes(action));

  it('lets migration-safety run a task definition only in the environments’ cluster, and watch and stop its tasks', () => {
    // Assert
    const run = allows('migration-safety', 'ecs:RunTask');
    expect(run).toHaveLength(1);
    expect(JSON.stringify(run[0].Resource)).toMatch(/:task-definition\/\*"\]\]\}$/);
    expect(JSON.stringify(run[0].Condition.ArnEquals['ecs:cluster'])).toContain(':cluster/apps');
    const tasks = allows('migration-safety', 'ecs:StopTask');
    expect(tasks).toHaveLength(1);
    expect(actions(tasks[0])).toEqual(['ecs:DescribeTasks', 'ecs:StopTask']);
    expect(JSON.stringify(tasks[0].Resource)).toContain(':task/apps/*');
    const pass = allows('migration-safety', 'iam:PassRole');
    expect(pass).toHaveLength(1);
    expect(pass[0].Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(JSON.stringify(allows('migration-safety', 'ecs:DescribeServices')[0].Resource)).toContain(
      ':service/apps/orders-staging',
    );
  });

  it.each<TaskName>(['deploy', 'smoke-test', 'check-data'])('gives %s no RunTask or StopTask', (task) => {
    const trial = statementsOf(task)
      .flatMap(actions)
      .filter((a) => a === 'ecs:RunTask' || a === 'ecs:StopTask');
    expect(trial).toEqual([]);
  });
});
