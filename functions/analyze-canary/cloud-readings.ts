import type { AnalysisCheckConfig } from '../shared/config/schema.js';
import type { CloudChecks } from '../shared/ports/cloud-checks.js';
import type { CheckInput } from './judge.js';

type CloudCheck = Extract<AnalysisCheckConfig, { source: 'cloudwatch' | 'alarm' }>;

/**
 * The AWS-only checks as the judge takes them. Neither has a per-release baseline: a `cloudwatch`
 * expression names its own metrics (usually the canary target group's), an alarm is one state.
 *
 * - cloudwatch: the expression's values over the step's window; the worst one is judged (the highest
 *   against `max`, else the lowest against `min`) when the window straddles two periods.
 * - alarm: 1 while the alarm is in ALARM, else 0, held to max 0; OK and INSUFFICIENT_DATA (a quiet
 *   canary's usual state) pass. The metric's name carries the state and CloudWatch's reason.
 */
export async function cloudCheckInput(
  check: CloudCheck,
  cloud: CloudChecks,
  since: Date,
  until: Date,
): Promise<CheckInput> {
  if (check.source === 'alarm') {
    const { state, reason } = await cloud.alarm(check.alarm);
    return {
      metric: `alarm ${check.alarm} (${state}${reason ? `: ${reason}` : ''})`,
      max: 0,
      canary: { value: state === 'ALARM' ? 1 : 0 },
      baseline: {},
    };
  }
  const values = await cloud.expression(check, since, until);
  const worst =
    values.length === 0 ? undefined : check.max !== undefined ? Math.max(...values) : Math.min(...values);
  return {
    metric: check.expression,
    max: check.max,
    min: check.min,
    canary: worst === undefined ? {} : { value: worst },
    baseline: {},
  };
}
