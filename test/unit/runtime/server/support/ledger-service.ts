import { AwsApiError, type AwsJsonService } from '../../../../../runtime/api/aws-service.js';

/**
 * A small but real AwsJsonService for the server tests: it keeps executions by name so the tests
 * can see which requests reached a service and how its errors travel back through the wire.
 */
export class LedgerService implements AwsJsonService {
  readonly targetPrefix = 'AWSStepFunctions';
  readonly calls: Array<{ operation: string; request: unknown }> = [];
  private readonly executions = new Map<string, { executionArn: string; input: string }>();

  async dispatch(operation: string, request: unknown): Promise<unknown> {
    this.calls.push({ operation, request });
    const body = request as Record<string, unknown>;
    switch (operation) {
      case 'StartExecution': {
        const name = String(body.name);
        const executionArn = `${String(body.stateMachineArn).replace(':stateMachine:', ':execution:')}:${name}`;
        if (this.executions.has(name)) {
          throw new AwsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
        }
        this.executions.set(name, { executionArn, input: String(body.input ?? '{}') });
        return { executionArn, startDate: 1767225600.5 };
      }
      case 'DescribeExecution': {
        const found = [...this.executions.values()].find((e) => e.executionArn === body.executionArn);
        if (!found)
          throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${body.executionArn}'`);
        return {
          executionArn: found.executionArn,
          input: found.input,
          status: 'RUNNING',
          startDate: 1767225600.5,
        };
      }
      case 'ListStateMachines':
        throw new Error('ledger exploded');
      default:
        throw new AwsApiError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }
}

export class BusService implements AwsJsonService {
  readonly targetPrefix = 'AWSEvents';
  readonly calls: Array<{ operation: string; request: unknown }> = [];

  async dispatch(operation: string, request: unknown): Promise<unknown> {
    this.calls.push({ operation, request });
    const entries = (request as { Entries?: unknown[] }).Entries ?? [];
    return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `event-${i}` })) };
  }
}
