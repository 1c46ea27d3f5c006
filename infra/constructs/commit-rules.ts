import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { EventPattern } from '../event-patterns.js';

export interface CommitRulesProps {
  readonly eventBus: events.IEventBus;
  readonly patterns: Readonly<Record<string, EventPattern>>;
  readonly stateMachine: sfn.IStateMachine;
}

/** EventBridge's JSON spelling to the CDK's camelCase; the template renders it back unchanged. */
function toCdkPattern(pattern: EventPattern): events.EventPattern {
  return { source: [...pattern.source], detailType: [...pattern['detail-type']], detail: pattern.detail };
}

/**
 * One rule per commit event shape, each starting the state machine. A start that keeps failing
 * lands in the dead-letter queue instead of vanishing, so no commit is dropped silently.
 */
export class CommitRules extends Construct {
  readonly rules: Record<string, events.Rule> = {};
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: CommitRulesProps) {
    super(scope, id);
    if (Object.keys(props.patterns).length === 0)
      throw new Error('CommitRules needs at least one event pattern');
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the commit rules' },
    ]);
    for (const [name, pattern] of Object.entries(props.patterns)) {
      this.rules[name] = new events.Rule(this, name, {
        eventBus: props.eventBus,
        description: `Starts a Tollgate run on ${pattern['detail-type'].join(', ')}`,
        eventPattern: toCdkPattern(pattern),
        targets: [
          new targets.SfnStateMachine(props.stateMachine, {
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 185,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
    }
  }
}
