import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { ApprovalCallbackError } from '../../approvals/errors.js';
import { InvalidInputError } from '../../errors.js';
import type { RunState, TaskCallback } from '../../ports/task-callback.js';

/** Step Functions limits: error names up to 256 characters, cause and output up to 256 KiB / 32 KiB. */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;
const MAX_OUTPUT = 262_144;

/**
 * SendTaskSuccess / SendTaskFailure. With `endpoint` set on the client the same class drives the
 * local engine, so there is no separate local adapter. Service errors are mapped to
 * ApprovalCallbackError with a message a person can act on; the token never appears in it.
 */
export class SfnTaskCallback implements TaskCallback {
  constructor(private readonly client: SFNClient) {
    if (!client) throw new InvalidInputError('SfnTaskCallback needs an SFN client');
  }

  async sendSuccess(token: string, output: Record<string, unknown>): Promise<void> {
    assertToken(token);
    const text = JSON.stringify(output);
    if (!output || typeof output !== 'object' || text === undefined)
      throw new InvalidInputError('task output must be a JSON object');
    if (Buffer.byteLength(text) > MAX_OUTPUT) throw new InvalidInputError('task output exceeds 256 KiB');
    await this.send(() => this.client.send(new SendTaskSuccessCommand({ taskToken: token, output: text })));
  }

  async sendFailure(token: string, error: string, cause: string): Promise<void> {
    assertToken(token);
    if (typeof error !== 'string' || !error || error.length > MAX_ERROR)
      throw new InvalidInputError(`task error name must be 1-${MAX_ERROR} characters`);
    if (typeof cause !== 'string' || cause.length > MAX_CAUSE)
      throw new InvalidInputError(`task failure cause must be a string of at most ${MAX_CAUSE} characters`);
    await this.send(() => this.client.send(new SendTaskFailureCommand({ taskToken: token, error, cause })));
  }

  async runState(executionArn: string): Promise<RunState> {
    if (typeof executionArn !== 'string' || !/^arn:aws[a-z-]*:states:/.test(executionArn))
      throw new InvalidInputError('runState needs a Step Functions execution ARN');
    let out: { status?: string; stopDate?: Date | number | string };
    try {
      out = await this.client.send(new DescribeExecutionCommand({ executionArn }));
    } catch (error) {
      if ((error as { name?: string } | undefined)?.name === 'ExecutionDoesNotExist')
        return { status: 'GONE' };
      throw mapError(error);
    }
    const status = out.status ?? 'RUNNING';
    if (status === 'RUNNING') return { status };
    if (!ENDED.has(status))
      throw new InvalidInputError(`DescribeExecution returned unknown status ${status}`);
    return {
      status: status as Exclude<RunState['status'], 'RUNNING' | 'GONE'>,
      ...(out.stopDate !== undefined ? { stoppedAt: isoDate(out.stopDate) } : {}),
    };
  }

  private async send(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      throw mapError(error);
    }
  }
}

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']);

/** The SDK gives a Date; the local engine's in-process client the wire form, epoch seconds. */
function isoDate(value: Date | number | string): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(typeof value === 'number' ? value * 1000 : value).toISOString();
}

function assertToken(token: unknown): void {
  if (typeof token !== 'string' || token.length === 0 || token.length > 1024)
    throw new InvalidInputError('task token must be a non-empty string of at most 1024 characters');
}

function mapError(error: unknown): Error {
  // Matched by name, not instanceof: the local engine's errors arrive through the same SDK but a
  // bundled copy of it would not share classes. Our own messages are used because the SDK's can
  // quote the request, and the token must not leak through them.
  const name = (error as { name?: string } | undefined)?.name ?? 'Error';
  const cause = { cause: { name } };
  switch (name) {
    case 'TaskTimedOut':
      return new ApprovalCallbackError(
        'timed-out',
        'the run is no longer waiting: its approval task timed out or was already completed',
        cause,
      );
    case 'TaskDoesNotExist':
      return new ApprovalCallbackError(
        'task-gone',
        'the run is no longer waiting: its execution has ended',
        cause,
      );
    case 'InvalidToken':
      return new ApprovalCallbackError(
        'invalid-token',
        'Step Functions did not accept the stored task token',
        cause,
      );
    case 'InvalidOutput':
      return new InvalidInputError('Step Functions rejected the task output as invalid JSON', cause);
    default:
      return new ApprovalCallbackError(
        'unavailable',
        `Step Functions could not be reached (${name}); try again`,
        cause,
      );
  }
}
