import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SfnTaskCallback } from '../../../../../../functions/shared/adapters/aws/sfn-task-callback.js';

const TOKEN = 'AAAA-task-token-canary-91c2';
const serviceError = (name: string) =>
  new SFNServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `${name}: token ${TOKEN}`,
  });

describe('SfnTaskCallback', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => {
    sfn.reset();
  });

  it('sends the output as JSON with SendTaskSuccess', async () => {
    // Arrange
    sfn.on(SendTaskSuccessCommand).resolves({});
    // Act
    await new SfnTaskCallback(new SFNClient({})).sendSuccess(TOKEN, { decision: 'approved', approvals: [] });
    // Assert
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input).toEqual({
      taskToken: TOKEN,
      output: '{"decision":"approved","approvals":[]}',
    });
  });

  it('sends the error name and cause with SendTaskFailure', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    await new SfnTaskCallback(new SFNClient({})).sendFailure(
      TOKEN,
      'Tollgate.ApprovalRejected',
      '{"approver":"bob"}',
    );
    expect(sfn.commandCalls(SendTaskFailureCommand)[0].args[0].input).toEqual({
      taskToken: TOKEN,
      error: 'Tollgate.ApprovalRejected',
      cause: '{"approver":"bob"}',
    });
  });

  it.each([
    ['TaskTimedOut', 'timed-out', /no longer waiting: its approval task timed out/],
    ['TaskDoesNotExist', 'task-gone', /no longer waiting: its execution has ended/],
    ['InvalidToken', 'invalid-token', /did not accept the stored task token/],
    ['ThrottlingException', 'unavailable', /could not be reached \(ThrottlingException\)/],
  ])('maps %s to a clear error that does not quote the token', async (name, reason, message) => {
    // Arrange
    sfn.on(SendTaskSuccessCommand).rejects(serviceError(name));
    // Act
    const call = new SfnTaskCallback(new SFNClient({})).sendSuccess(TOKEN, {});
    // Assert
    const error = await call.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toMatchObject({ name: 'Tollgate.ApprovalCallbackFailed', reason });
    expect(error?.message).toMatch(message);
    expect(JSON.stringify({ message: error?.message, cause: error?.cause })).not.toContain(TOKEN);
  });

  it('refuses an empty token or an over-long error name without calling Step Functions', async () => {
    const callback = new SfnTaskCallback(new SFNClient({}));
    await expect(callback.sendSuccess('', {})).rejects.toThrow(/task token must be a non-empty string/);
    await expect(callback.sendFailure(TOKEN, 'x'.repeat(257), '')).rejects.toThrow(
      /error name must be 1-256/,
    );
    expect(sfn.calls()).toHaveLength(0);
  });
});
