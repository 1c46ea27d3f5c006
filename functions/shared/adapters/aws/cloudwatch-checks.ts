import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudChecks, MetricMathInput } from '../../ports/cloud-checks.js';
import { readAlarmState } from './cloudwatch-alarm.js';
import { readExpression } from './cloudwatch-expression.js';

/** The AWS CloudChecks: metric math through GetMetricData, alarm states through DescribeAlarms. */
export class CloudWatchChecks implements CloudChecks {
  constructor(private readonly client: CloudWatchClient) {}

  expression(
    query: { readonly expression: string; readonly metrics: readonly MetricMathInput[] },
    since: Date,
    until: Date,
  ): Promise<readonly number[]> {
    return readExpression(this.client, query, since, until);
  }

  alarm(name: string) {
    return readAlarmState(this.client, name);
  }
}
