import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackLogGroups } from '../../../../cli/aws/stack-log-groups.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../support/moto-server.js';

let moto: MotoServer;
let client: CloudFormationClient;

describe.skipIf(!motoEnabled('stackLogGroups'))('stackLogGroups on moto_server', () => {
  beforeAll(async () => {
    moto = await startMotoServer();
    client = new CloudFormationClient(moto.clientConfig);
    await client.send(
      new CreateStackCommand({
        StackName: 'Tollgate',
        TemplateBody: JSON.stringify({
          Resources: {
            DeployLogs: {
              Type: 'AWS::Logs::LogGroup',
              Properties: { LogGroupName: 'Tollgate-DeployLogs-1A2B' },
            },
            SmokeTestLogs: {
              Type: 'AWS::Logs::LogGroup',
              Properties: { LogGroupName: 'Tollgate-SmokeLogs-3C4D' },
            },
            Topic: { Type: 'AWS::SNS::Topic' },
          },
        }),
      }),
    );
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it('returns the names of the stack’s log groups and nothing else, reading the stack once', async () => {
    // Arrange
    let calls = 0;
    const counting = {
      send: ((command: never) => {
        calls++;
        return client.send(command);
      }) as typeof client.send,
    };
    const groups = stackLogGroups('Tollgate', counting);
    // Act
    const first = await groups();
    const again = await groups();
    // Assert
    expect([...first].sort()).toEqual(['Tollgate-DeployLogs-1A2B', 'Tollgate-SmokeLogs-3C4D']);
    expect(again).toBe(first);
    expect(calls).toBe(1);
  });

  it('fails on a stack that does not exist, and asks again next time', async () => {
    // Arrange
    const groups = stackLogGroups('NoSuchStack', client);
    // Act / Assert
    await expect(groups()).rejects.toThrow(/NoSuchStack|does not exist/);
    await expect(groups()).rejects.toThrow(/NoSuchStack|does not exist/);
  });
});
