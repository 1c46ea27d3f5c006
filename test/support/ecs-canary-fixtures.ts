import type { TollgateConfigInput } from '../../functions/shared/config/schema.js';
import { validConfig } from './config-fixtures.js';

/** ARNs in moto's and AWS's shapes; tests that create real resources pass theirs instead. */
export const CANARY_ARNS = {
  listenerRuleArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/orders/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee',
  targetGroupArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders-canary/73e2d6bc24d8a067',
  baselineTargetGroupArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders-prod/1aa2d6bc24d8a068',
} as const;

const ERROR_RATE = { source: 'requests', metric: 'error-rate', max: 0.05 } as const;

/** A config whose prod runs on ECS with a canary strategy and the canary sub-object given. */
export function ecsCanaryConfig(
  canary: {
    service?: string;
    listenerRuleArn?: string;
    targetGroupArn?: string;
    baselineTargetGroupArn?: string;
  } = {},
  strategy: 'canary' | 'linear' = 'canary',
): TollgateConfigInput {
  return validConfig({
    environments: [
      { name: 'test', deploy: { type: 'process', command: 'node src/server.mjs', port: 4701 } },
      {
        name: 'prod',
        url: 'https://orders.example.com',
        deploy: {
          type: 'ecs',
          cluster: 'tollgate',
          service: 'orders',
          containerName: 'app',
          canary: { service: 'orders-canary', ...CANARY_ARNS, ...canary },
        },
        strategy:
          strategy === 'canary'
            ? { type: 'canary', steps: [10, 50], interval: '2m', analysis: [ERROR_RATE] }
            : { type: 'linear', increment: 25, interval: '2m', analysis: [ERROR_RATE] },
      },
    ],
  });
}
