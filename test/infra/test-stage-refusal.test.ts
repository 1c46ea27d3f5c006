import { describe, expect, it } from 'vitest';
import { buildStack, ecsConfigInput } from './stack-fixture.js';

const SYNTH_MS = 120_000;

describe('TollgateStack and test stages', () => {
  it(
    'refuses environments[].tests at synth in one line: they run only on the local runtime',
    () => {
      // Arrange
      const config = ecsConfigInput();
      config.environments[0] = {
        ...config.environments[0]!,
        tests: [{ name: 'integration', run: 'npm test' }],
      };

      // Act / Assert
      expect(() => buildStack(config)).toThrow(
        /^invalid config for the AWS stack in TollgatePipeline props\.config: environments\[0\]\.tests: test stages run only on the local runtime/,
      );
    },
    SYNTH_MS,
  );

  it(
    "synthesizes a verify window: its rounds run in the smoke-test function, which needs no grant beyond the environment's URL",
    () => {
      // Arrange
      const config = ecsConfigInput();
      config.environments[0] = {
        ...config.environments[0]!,
        verify: { for: '10m', every: '1m', checks: [{ name: 'health', path: '/health' }] },
      };

      // Act
      const { template } = buildStack(config);

      // Assert
      const machines = template.findResources('AWS::StepFunctions::StateMachine');
      expect(JSON.stringify(machines)).toContain('WaitToVerify');
    },
    SYNTH_MS,
  );
});
