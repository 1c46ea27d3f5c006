import { describe, expect, it } from 'vitest';
import { codeBuildTimeout } from '../../infra/constructs/build-project.js';
import { buildStack, ecsConfigInput } from './stack-fixture.js';

describe('build.timeout on AWS', () => {
  it('sets the CodeBuild project timeout from build.timeout', () => {
    // Arrange
    const base = ecsConfigInput();
    // Act
    const built = buildStack({ ...base, build: { ...base.build, timeout: '45m' } });
    // Assert
    built.template.hasResourceProperties('AWS::CodeBuild::Project', { TimeoutInMinutes: 45 });
  });

  it('rounds to CodeBuild’s whole minutes within 5 to 2160', () => {
    expect(
      [
        codeBuildTimeout(1_800),
        codeBuildTimeout(61),
        codeBuildTimeout(60),
        codeBuildTimeout(10 * 86_400),
      ].map((d) => d.toMinutes()),
    ).toEqual([30, 5, 5, 2160]);
  });
});
