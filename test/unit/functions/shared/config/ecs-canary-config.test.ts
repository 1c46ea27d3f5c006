import { describe, expect, it } from 'vitest';
import {
  loadBalancerDimension,
  targetGroupDimension,
} from '../../../../../functions/shared/config/ecs-canary-schema.js';
import { parseConfig } from '../../../../../functions/shared/config/index.js';
import { ConfigError } from '../../../../../functions/shared/errors.js';
import { CANARY_ARNS, ecsCanaryConfig } from '../../../../support/ecs-canary-fixtures.js';

function problem(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('environments[].deploy.canary (ECS)', () => {
  it('keeps the canary service, listener rule and both target groups', () => {
    // Act
    const config = parseConfig(ecsCanaryConfig());
    // Assert
    const deploy = config.environments[1]!.deploy;
    expect(deploy.type === 'ecs' && deploy.canary).toEqual({ service: 'orders-canary', ...CANARY_ARNS });
  });

  it.each(['canary', 'linear'] as const)(
    'refuses a %s strategy on ECS without deploy.canary, in one line',
    (type) => {
      // Arrange
      const raw = ecsCanaryConfig({}, type);
      const prod = raw.environments[1]!;
      if (prod.deploy.type !== 'ecs') throw new Error('fixture');
      const { canary: _dropped, ...deploy } = prod.deploy;
      raw.environments[1] = { ...prod, deploy };
      // Act
      const message = problem(raw);
      // Assert
      expect(message).toContain(
        `environments[1].deploy.canary: a ${type} strategy on ECS needs deploy.canary`,
      );
    },
  );

  it('accepts an all-at-once ECS environment without deploy.canary', () => {
    // Arrange
    const raw = ecsCanaryConfig();
    const prod = raw.environments[1]!;
    if (prod.deploy.type !== 'ecs') throw new Error('fixture');
    const { canary: _dropped, ...deploy } = prod.deploy;
    raw.environments[1] = { ...prod, deploy, strategy: { type: 'all-at-once' } };
    // Act + Assert
    expect(() => parseConfig(raw)).not.toThrow();
  });

  it.each([
    [
      'listenerRuleArn',
      {
        listenerRuleArn:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/orders/50dc6c495c0c9188/f2f7dc8efc522ab2',
      },
      'listener rule ARN',
    ],
    ['targetGroupArn', { targetGroupArn: 'orders-canary' }, 'target group ARN'],
    [
      'baselineTargetGroupArn',
      {
        baselineTargetGroupArn:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/orders/1',
      },
      'target group ARN',
    ],
  ])('refuses a malformed %s naming the ARN it wants', (key, override, wanted) => {
    // Act
    const message = problem(ecsCanaryConfig(override));
    // Assert
    expect(message).toContain(`deploy.canary.${key}`);
    expect(message).toContain(wanted);
  });

  it('refuses an unknown key in deploy.canary', () => {
    expect(problem(ecsCanaryConfig({ weight: 5 } as never))).toContain('weight');
  });

  it('derives the ALB metric dimensions from the ARNs', () => {
    expect(loadBalancerDimension(CANARY_ARNS.listenerRuleArn)).toBe('app/orders/50dc6c495c0c9188');
    expect(targetGroupDimension(CANARY_ARNS.targetGroupArn)).toBe(
      'targetgroup/orders-canary/73e2d6bc24d8a067',
    );
  });
});
