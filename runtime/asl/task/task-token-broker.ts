/**
 * Issues task tokens for `.waitForTaskToken` and resolves them when SendTaskSuccess/Failure
 * arrive. Heartbeat expiry rejects the outcome with States.HeartbeatTimeout.
 */
export interface IssuedTaskToken {
  readonly token: string;
  /** Resolves with the SendTaskSuccess output; rejects with a StatesError on failure/heartbeat. */
  readonly outcome: Promise<unknown>;
  /**
   * Set when this token was restored after a restart and its request had already been delivered
   * (TaskSubmitted is in the history): the task only waits for the outcome, sending nothing again.
   */
  readonly submitted?: boolean;
  /** With `submitted`: when the attempt that sent the token was scheduled (epoch ms), for its timeout. */
  readonly scheduledAt?: number;
  /** Withdraws the token (task timed out, execution stopped): later sends get TaskTimedOut. */
  cancel(): void;
}

export interface TaskTokenBroker {
  issue(request: {
    readonly executionArn: string;
    readonly stateName: string;
    readonly enteredEventId: number;
    readonly heartbeatSeconds?: number;
  }): Promise<IssuedTaskToken>;
}
