import { describe, expect, it } from 'vitest';
import { planRun } from '../../functions/plan-run/plan-run.js';
import { buildStack, ecsConfig, ecsConfigInput } from './stack-fixture.js';

const commit = { repository: 'orders-service', branch: 'main', commit: 'a'.repeat(40) };
const source = { vouchFor: async () => ({ known: true }) as const };

/** build.codebuildProject names the CodeBuild project the stack creates and the one the run starts. */
describe('build.codebuildProject on AWS', () => {
  it('names the stack’s project and the project plan-run hands the Build state, both alike', async () => {
    // Arrange
    const base = ecsConfigInput();
    const input = { ...base, build: { ...base.build, codebuildProject: 'orders-release-build' } };

    // Act
    const built = buildStack(input);
    const plan = await planRun({ executionArn: 'arn:x', commit }, { config: ecsConfig(input), source });
    const defaultPlan = await planRun({ executionArn: 'arn:x', commit }, { config: ecsConfig(base), source });

    // Assert
    built.template.hasResourceProperties('AWS::CodeBuild::Project', { Name: 'orders-release-build' });
    expect(plan.build.projectName).toBe('orders-release-build');
    expect(defaultPlan.build.projectName).toBe('orders-build');
  });
});
