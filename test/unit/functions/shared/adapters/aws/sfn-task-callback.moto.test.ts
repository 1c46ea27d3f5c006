import {
  CreateStateMachineCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SfnTaskCallback } from '../../../../../../functions/shared/adapters/aws/sfn-task-callback.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';

const DEFINITION = JSON.stringify({
  StartAt: 'Wait',
  States: { Wait: { Type: 'Wait', Seconds: 3600, End: true } },
});

/** runState through the real SDK (Dates, not the engine's epoch seconds) against Step Functions in moto. */
describe.runIf(motoEnabled('SfnTaskCallback on moto_server'))(
  'SfnTaskCallback.runState on moto_server',
  () => {
    let moto: MotoServer;
    let sfn: SFNClient;
    let machine: string;

    beforeAll(async () => {
      moto = await startMotoServer();
      sfn = new SFNClient(moto.clientConfig);
      const created = await sfn.send(
        new CreateStateMachineCommand({
          name: 'pipeline',
          definition: DEFINITION,
          roleArn: 'arn:aws:iam::123456789012:role/sfn',
        }),
      );
      machine = created.stateMachineArn!;
    });
    afterAll(async () => {
      await moto?.stop();
    });

    it('returns RUNNING for a waiting run, and ABORTED with its stop time once it was stopped', async () => {
      // Arrange
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: machine, name: 'run-1' }),
      );
      const callback = new SfnTaskCallback(sfn);
      // Act
      const before = await callback.runState(executionArn!);
      await sfn.send(new StopExecutionCommand({ executionArn }));
      const after = await callback.runState(executionArn!);
      // Assert
      expect(before).toEqual({ status: 'RUNNING' });
      expect(after).toMatchObject({
        status: 'ABORTED',
        stoppedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    });

    it('returns GONE for an execution Step Functions does not know', async () => {
      // Act
      const state = await new SfnTaskCallback(sfn).runState(
        `${machine.replace(':stateMachine:', ':execution:')}:nope`,
      );
      // Assert
      expect(state).toEqual({ status: 'GONE' });
    });
  },
);
