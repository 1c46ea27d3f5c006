import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskName } from '../../functions/task-registry.js';
import { type BuiltStack, buildStack, statementsOfRole } from './stack-fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
type Json = Record<string, any>;

const SYNTH_MS = 300_000;
const actions = (s: Json): string[] => [s.Action].flat();

/**
 * Each grant here answers a call the function's code makes (functions/shared/adapters/aws/ecs-deployer.ts):
 * every read of a service is followed by DescribeTaskDefinition (the serving release is a tag on it),
 * and a rollout registers a tagged revision, which AWS authorizes as TagResource too.
 */
describe('ECS and build grants in the synthesized template', () => {
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

  it.each<TaskName>(['promote', 'poll-deployment', 'deploy', 'rollback'])(
    'lets %s describe the ECS services and their task definitions',
    (task) => {
      // Assert
      const services = allows(task, 'ecs:DescribeServices');
      expect(services).toHaveLength(1);
      expect(JSON.stringify(services[0].Resource)).toContain(':service/apps/orders-staging');
      expect(allows(task, 'ecs:DescribeTaskDefinition').map((s) => s.Resource)).toEqual(['*']);
    },
  );

  it.each<TaskName>(['deploy', 'rollback'])(
    'lets %s tag the task definitions it registers, and nothing else, through ecs:TagResource',
    (task) => {
      // Assert
      const tag = allows(task, 'ecs:TagResource');
      expect(tag).toHaveLength(1);
      expect(tag[0].Condition).toEqual({ StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } });
      expect(JSON.stringify(tag[0].Resource)).toMatch(/:ecs:.*:task-definition\/\*"\]\]\}$/);
    },
  );

  it.each<TaskName>(['promote', 'poll-deployment', 'smoke-test', 'record-run'])(
    'gives %s no ECS write or tag action',
    (task) => {
      const writes = statementsOf(task)
        .flatMap(actions)
        .filter((a) => /^ecs:(?!Describe)/.test(a));
      expect(writes).toEqual([]);
    },
  );

  it('lets the state machine read the build reports the CodeBuild .sync integration fetches, on their report groups', () => {
    // Assert
    const role = built.stack.getLogicalId(
      built.stack.pipeline.stateMachine.role.node.defaultChild as CfnRole,
    );
    const reports = statementsOfRole(resources, role).find((s) =>
      actions(s).includes('codebuild:BatchGetReports'),
    );
    expect(actions(reports as Json)).toEqual(['codebuild:BatchGetReports']);
    expect(JSON.stringify((reports as Json).Resource)).toMatch(/:report-group\/[a-z-]+-build-\*/);
  });
});
