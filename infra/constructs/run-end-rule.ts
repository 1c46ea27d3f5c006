import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENDED_STATUSES } from '../../functions/release-ended-run/release-ended-run.js';
import { TollgateFunction } from './tollgate-function.js';

export interface RunEndRuleProps {
  /** Absolute path of `functions/release-ended-run/handler.ts`. */
  readonly entry: string;
  readonly projectRoot: string;
  readonly stateMachine: sfn.IStateMachine;
  /** The pipeline config as JSON text; the function's bundle carries it (TollgateFunctionProps.config). */
  readonly config: string;
  /** The variables the guard's ports read: the lock table. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Frees the pipeline lock of a run that ended without reaching its own release: stopped by hand,
 * timed out as a whole, or failed. Step Functions puts an "Execution Status Change" event on the
 * default bus for every status change of a standard workflow; this rule sends the pipeline's
 * ABORTED, TIMED_OUT and FAILED ones to a function that releases the run's lock. Without it an
 * aborted run held the lock for its whole lease (6 h by default). Stopping the execution also
 * stops a running CodeBuild build: the .sync integration calls StopBuild.
 */
export class RunEndRule extends Construct {
  readonly handler: TollgateFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: RunEndRuleProps) {
    super(scope, id);
    this.handler = new TollgateFunction(this, 'Handler', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      taskName: 'release-ended-run',
      memorySize: 256,
      config: props.config,
      environment: props.environment,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the run-end rule' },
    ]);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Releases the pipeline lock of a Tollgate run that was stopped, timed out or failed',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: [...ENDED_STATUSES], stateMachineArn: [props.stateMachine.stateMachineArn] },
      },
      targets: [
        new targets.LambdaFunction(this.handler.function, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
}
