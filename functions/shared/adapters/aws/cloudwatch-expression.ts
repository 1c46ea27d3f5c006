import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { InvalidInputError } from '../../errors.js';
import type { MetricMathInput } from '../../ports/cloud-checks.js';

/** The id of the expression's own query; the config's metric ids start lowercase and may not take it. */
const RESULT_ID = 'tollgate_result';

/**
 * Evaluates a metric-math expression with GetMetricData: the metrics it names are queried with
 * ReturnData false, and only the expression's values come back. One period spans the window
 * (rounded up to whole minutes), as the request metrics do, so a ratio like `errors / requests` is
 * the window's ratio, not an average of per-minute ratios.
 */
export async function readExpression(
  client: CloudWatchClient,
  query: { readonly expression: string; readonly metrics: readonly MetricMathInput[] },
  since: Date,
  until: Date,
): Promise<number[]> {
  if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime()) || until <= since) {
    throw new InvalidInputError('metrics window needs valid dates with since before until');
  }
  if (query.metrics.some((m) => m.id === RESULT_ID)) {
    throw new InvalidInputError(
      `metric id "${RESULT_ID}" is reserved for the expression; rename that metric`,
    );
  }
  const Period = Math.max(60, Math.ceil((until.getTime() - since.getTime()) / 60_000) * 60);
  const queries: MetricDataQuery[] = [
    ...query.metrics.map(
      (m): MetricDataQuery => ({
        Id: m.id,
        MetricStat: {
          Metric: {
            Namespace: m.namespace,
            MetricName: m.name,
            Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
          },
          Period,
          Stat: m.stat,
        },
        ReturnData: false,
      }),
    ),
    { Id: RESULT_ID, Expression: query.expression, Period, ReturnData: true },
  ];
  const points: Array<{ at: number; value: number }> = [];
  let NextToken: string | undefined;
  do {
    const out = await client.send(
      new GetMetricDataCommand({
        StartTime: since,
        EndTime: until,
        MetricDataQueries: queries,
        ScanBy: 'TimestampAscending',
        NextToken,
      }),
    );
    for (const result of out.MetricDataResults ?? []) {
      if (result.Id !== RESULT_ID) continue;
      if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
        const why = result.Messages?.map((m) => m.Value).join('; ') || result.StatusCode;
        throw new Error(`CloudWatch could not evaluate "${query.expression}": ${why}`);
      }
      const values = result.Values ?? [];
      (result.Timestamps ?? []).forEach((t, i) => {
        if (values[i] !== undefined) points.push({ at: t.getTime(), value: values[i]! });
      });
    }
    NextToken = out.NextToken;
  } while (NextToken);
  return points.sort((a, b) => a.at - b.at).map((p) => p.value);
}
