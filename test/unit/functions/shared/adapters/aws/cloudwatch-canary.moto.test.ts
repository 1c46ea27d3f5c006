import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudCheckInput } from '../../../../../../functions/analyze-canary/cloud-readings.js';
import { judgeCheck } from '../../../../../../functions/analyze-canary/judge.js';
import { CloudWatchChecks } from '../../../../../../functions/shared/adapters/aws/cloudwatch-checks.js';
import { CloudWatchMetricsSource } from '../../../../../../functions/shared/adapters/aws/cloudwatch-metrics-source.js';
import { ElbTrafficRouter } from '../../../../../../functions/shared/adapters/aws/elb-traffic-router.js';
import {
  loadBalancerDimension,
  targetGroupDimension,
} from '../../../../../../functions/shared/config/ecs-canary-schema.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import { ecsCanaryConfig } from '../../../../../support/ecs-canary-fixtures.js';
import { type AlbCanaryWorld, createAlbCanaryWorld } from '../../../../../support/moto-alb-canary.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';

const since = new Date(Date.now() - 10 * 60_000);
const until = new Date(Date.now() + 60_000);

/**
 * The CloudWatch analysis sources against moto: metrics put with PutMetricData come back per
 * release (the canary's and the baseline's target group, as the traffic router reports who runs
 * where), and alarm states as set. moto computes Sum/Average/… but no percentiles, and evaluates a
 * metric-math expression only when it is a bare query id, so the arithmetic itself is CloudWatch's
 * on AWS; here the expression path (hidden metric queries, the result's values) is what is checked.
 */
describe.runIf(motoEnabled('CloudWatch canary sources on moto_server'))(
  'CloudWatch canary sources on moto_server',
  () => {
    let moto: MotoServer;
    let cloudwatch: CloudWatchClient;
    let world: AlbCanaryWorld;
    let source: CloudWatchMetricsSource;

    beforeAll(async () => {
      moto = await startMotoServer({ env: { MOTO_ECS_SERVICE_RUNNING: '2' } });
      const ecs = new ECSClient(moto.clientConfig);
      const elb = new ElasticLoadBalancingV2Client(moto.clientConfig);
      cloudwatch = new CloudWatchClient(moto.clientConfig);
      world = await createAlbCanaryWorld(moto, { ecs, elb }, [{ key: 'tollgate:release', value: 'r1' }]);
      const { taskDefinition } = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'orders',
          containerDefinitions: [{ name: 'app', image: 'orders:2', essential: true, memory: 256 }],
          tags: [{ key: 'tollgate:release', value: 'r2' }],
        }),
      );
      await ecs.send(
        new UpdateServiceCommand({
          cluster: 'tollgate',
          service: world.canaryService,
          taskDefinition: taskDefinition!.taskDefinitionArn!,
          desiredCount: 2,
        }),
      );
      const config = parseConfig(
        ecsCanaryConfig({
          service: world.canaryService,
          listenerRuleArn: world.listenerRuleArn,
          targetGroupArn: world.targetGroupArn,
          baselineTargetGroupArn: world.baselineTargetGroupArn,
        }),
      );
      source = new CloudWatchMetricsSource({
        client: cloudwatch,
        config,
        traffic: new ElbTrafficRouter({ config, ecs, elb }),
      });
      const put = (group: string, requests: number, errors: number) =>
        cloudwatch.send(
          new PutMetricDataCommand({
            Namespace: 'AWS/ApplicationELB',
            MetricData: [
              ['RequestCount', requests],
              ['HTTPCode_Target_5XX_Count', errors],
            ].map(([name, value]) => ({
              MetricName: name as string,
              Value: value as number,
              Timestamp: new Date(),
              Dimensions: [
                { Name: 'LoadBalancer', Value: loadBalancerDimension(world.listenerRuleArn) },
                { Name: 'TargetGroup', Value: targetGroupDimension(group) },
              ],
            })),
          }),
        );
      await put(world.baselineTargetGroupArn, 900, 3);
      await put(world.targetGroupArn, 100, 20);
    }, 60_000);
    afterAll(async () => {
      await moto?.stop();
    });

    it("reads each release's requests and target 5xx from its own target group", async () => {
      // Act
      const canary = await source.read('prod', since, until, 'r2');
      const baseline = await source.read('prod', since, until, 'r1');
      // Assert
      expect(canary).toMatchObject({ requests: 100, errors: 20 });
      expect(baseline).toMatchObject({ requests: 900, errors: 3 });
    });

    it('refuses a release that is neither the canary nor the baseline, in one line', async () => {
      await expect(source.read('prod', since, until, 'r9')).rejects.toThrow(
        'release r9 is neither the canary (r2) nor the baseline (r1) of "prod"',
      );
    });

    it("returns a metric-math expression's values over the window, its inputs hidden", async () => {
      // Arrange
      const checks = new CloudWatchChecks(cloudwatch);
      const dimensions = {
        LoadBalancer: loadBalancerDimension(world.listenerRuleArn),
        TargetGroup: targetGroupDimension(world.targetGroupArn),
      };
      // Act
      const values = await checks.expression(
        {
          expression: 'errors',
          metrics: [
            {
              id: 'errors',
              namespace: 'AWS/ApplicationELB',
              name: 'HTTPCode_Target_5XX_Count',
              dimensions,
              stat: 'Sum',
            },
            {
              id: 'requests',
              namespace: 'AWS/ApplicationELB',
              name: 'RequestCount',
              dimensions,
              stat: 'Sum',
            },
          ],
        },
        since,
        until,
      );
      // Assert
      expect(values).toEqual([20]);
    });

    it("reports an alarm's state, and NotFound for an alarm that does not exist", async () => {
      // Arrange
      const checks = new CloudWatchChecks(cloudwatch);
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: 'orders-canary-5xx',
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'HTTPCode_Target_5XX_Count',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 5,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
      const quiet = await checks.alarm('orders-canary-5xx');
      await cloudwatch.send(
        new SetAlarmStateCommand({
          AlarmName: 'orders-canary-5xx',
          StateValue: 'ALARM',
          StateReason: '20 > 5',
        }),
      );
      // Act
      const firing = await checks.alarm('orders-canary-5xx');
      // Assert
      expect(quiet.state).not.toBe('ALARM');
      expect(firing).toEqual({ state: 'ALARM', reason: '20 > 5' });
      await expect(checks.alarm('no-such-alarm')).rejects.toThrow(
        'CloudWatch alarm "no-such-alarm" does not exist',
      );
    });

    it('judges a cloudwatch check by its expression and an alarm check by its state (analyze-canary)', async () => {
      // Arrange
      const checks = new CloudWatchChecks(cloudwatch);
      const dimensions = {
        LoadBalancer: loadBalancerDimension(world.listenerRuleArn),
        TargetGroup: targetGroupDimension(world.targetGroupArn),
      };
      const metric = {
        namespace: 'AWS/ApplicationELB',
        name: 'HTTPCode_Target_5XX_Count',
        dimensions,
        stat: 'Sum',
      };
      const expression = {
        source: 'cloudwatch' as const,
        expression: 'e',
        metrics: [{ id: 'e', ...metric }],
      };
      const alarm = { source: 'alarm', alarm: 'orders-canary-latency' } as const;
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: 'orders-canary-latency',
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'TargetResponseTime',
          Statistic: 'Average',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
      await cloudwatch.send(
        new SetAlarmStateCommand({
          AlarmName: 'orders-canary-latency',
          StateValue: 'OK',
          StateReason: 'fine',
        }),
      );
      // Act
      const tooMany = judgeCheck(await cloudCheckInput({ ...expression, max: 10 }, checks, since, until));
      const fewEnough = judgeCheck(await cloudCheckInput({ ...expression, max: 25 }, checks, since, until));
      const quiet = judgeCheck(await cloudCheckInput(alarm, checks, since, until));
      await cloudwatch.send(
        new SetAlarmStateCommand({
          AlarmName: 'orders-canary-latency',
          StateValue: 'ALARM',
          StateReason: '1.4 > 1',
        }),
      );
      const firing = judgeCheck(await cloudCheckInput(alarm, checks, since, until));
      // Assert
      expect(tooMany).toMatchObject({ verdict: 'fail', value: 20, threshold: 10, reason: '20 > max 10' });
      expect(fewEnough.verdict).toBe('pass');
      expect(quiet).toMatchObject({ verdict: 'pass', metric: 'alarm orders-canary-latency (OK: fine)' });
      expect(firing).toMatchObject({
        verdict: 'fail',
        metric: 'alarm orders-canary-latency (ALARM: 1.4 > 1)',
      });
    });
  },
);
