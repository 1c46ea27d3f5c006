/**
 * Issues task tokens for `.waitForTaskToken` and resolves them when SendTaskSuccess/Failure
 * arrive. Heartbeat expiry rejects the outcome with States.HeartbeatTimeout.
 */
export interface IssuedTaskToken {
  readonly token: string;
  /** Resolves with the SendTaskSuccess output; rejects with a StatesError on failure/heartbeat. */
  readonly outcome: Promise<unknown>;
  /** Withdraws the token (task timed out, execution stopped): later sends get TaskTimedOut. */
  cancel(): void;
}

export interface TaskTokenBroker {
  issue(request: {
    readonly executionArn: string;
    readonly stateName: string;
    readonly enteredEventId: number;
    /** The retry count of the attempt: with the Entered event it names the attempt across a restart. */
    readonly attempt: number;
    readonly heartbeatSeconds?: number;
  }): Promise<IssuedTaskToken>;
}
