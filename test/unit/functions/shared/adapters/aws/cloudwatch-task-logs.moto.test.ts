import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchTaskLogs } from '../../../../../../functions/shared/adapters/aws/cloudwatch-task-logs.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';

const RUN = 'arn:aws:states:us-east-1:123456789012:execution:tollgate-orders:run-7f3a';
const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:tollgate-orders:run-0b11';
const GROUPS = ['/tollgate/deploy', '/tollgate/smoke-test'];

let moto: MotoServer;
let client: CloudWatchLogsClient;

/** A line as Powertools prints it inside a task invocation (functions/shared/logger.ts). */
const line = (
  executionArn: string,
  stateName: string,
  message: string,
  extra: Record<string, unknown> = {},
) =>
  JSON.stringify({
    level: 'INFO',
    message,
    timestamp: '2026-12-03T07:00:00.000Z',
    service: 'deploy',
    executionArn,
    stateName,
    environment: 'test',
    ...extra,
  });

describe.skipIf(!motoEnabled('CloudWatchTaskLogs'))('CloudWatchTaskLogs on moto_server', () => {
  beforeAll(async () => {
    moto = await startMotoServer();
    client = new CloudWatchLogsClient(moto.clientConfig);
    const now = Date.now();
    const put = async (group: string, messages: string[], offset = 0) => {
      await client.send(new CreateLogGroupCommand({ logGroupName: group }));
      await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'one' }));
      await client.send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: 'one',
          logEvents: messages.map((message, i) => ({ message, timestamp: now + offset + i * 10 })),
        }),
      );
    };
    await put(GROUPS[0]!, [
      'START RequestId: 1 Version: $LATEST',
      line(RUN, 'Deploy', 'task started'),
      line(OTHER, 'Deploy', 'task started'),
      line(RUN, 'Deploy', 'rolling out', { password: 'hunter2' }),
      `2026-12-03T07:00:01.000Z\t1\tINFO\t${line(RUN, 'PollDeployment', 'task finished')}`,
    ]);
    // Between the deploy group's second and fourth lines: the read merges groups by time.
    await put(
      GROUPS[1]!,
      [line(RUN, 'SmokeTest', 'task failed', { errorMessage: 'GET /health answered 503' })],
      25,
    );
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it('returns the run’s Powertools lines from every group, redacted and in time order, and no other run’s', async () => {
    // Arrange
    const logs = new CloudWatchTaskLogs({ client, logGroups: async () => GROUPS });
    // Act
    const page = await logs.read(RUN);
    // Assert
    expect(page.truncated).toBe(false);
    expect(page.lines.map((l) => [l.state, l.message])).toEqual([
      ['Deploy', 'task started'],
      ['SmokeTest', 'task failed'],
      ['Deploy', 'rolling out'],
      ['PollDeployment', 'task finished'],
    ]);
    expect(page.lines[2]!.fields).toMatchObject({ password: '[redacted]' });
    expect(page.lines[1]).toMatchObject({
      environment: 'test',
      fields: { errorMessage: 'GET /health answered 503' },
    });
  });

  it('stops at its bound and says the lines were cut', async () => {
    // Arrange
    const logs = new CloudWatchTaskLogs({ client, logGroups: async () => GROUPS, maxLines: 2 });
    // Act
    const page = await logs.read(RUN);
    // Assert
    expect(page.lines).toHaveLength(2);
    expect(page.truncated).toBe(true);
  });

  it('refuses a malformed execution ARN and a missing client in one line', async () => {
    // Arrange
    const logs = new CloudWatchTaskLogs({ client, logGroups: async () => GROUPS });
    // Act / Assert
    await expect(logs.read('arn:aws:states:x:execution:sm:a b')).rejects.toThrow(/^not an execution ARN/);
    expect(() => new CloudWatchTaskLogs({ client: undefined as never, logGroups: async () => [] })).toThrow(
      /needs a CloudWatch Logs client/,
    );
  });
});
