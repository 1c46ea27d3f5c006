import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { NotFoundError } from '../../errors.js';
import type { AlarmState } from '../../ports/cloud-checks.js';

/** A metric or composite alarm's state now (DescribeAlarms by name; a name matches one alarm). */
export async function readAlarmState(
  client: CloudWatchClient,
  name: string,
): Promise<{ state: AlarmState; reason: string }> {
  const out = await client.send(
    new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
  );
  const alarm = out.MetricAlarms?.[0] ?? out.CompositeAlarms?.[0];
  if (!alarm?.StateValue) throw new NotFoundError(`CloudWatch alarm "${name}" does not exist`);
  return { state: alarm.StateValue, reason: alarm.StateReason ?? '' };
}
