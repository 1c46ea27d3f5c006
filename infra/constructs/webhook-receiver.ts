import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { TollgateFunction } from './tollgate-function.js';

export interface WebhookReceiverProps {
  /** Absolute path of `functions/webhook/handler.ts`. */
  readonly entry: string;
  readonly projectRoot: string;
  /** The bus the commit events go to; the pipeline's rules listen on it. */
  readonly eventBus: events.IEventBus;
  /**
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * GitHub push webhook: a function URL with no IAM auth (GitHub cannot sign SigV4); the function
 * verifies the HMAC signature with the secret below and only then puts the commit event.
 */
export class WebhookReceiver extends Construct {
  readonly secret: secretsmanager.Secret;
  readonly handler: TollgateFunction;
  readonly url: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: WebhookReceiverProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Shared secret of the GitHub push webhook; paste this value into the webhook settings',
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });
    this.handler = new TollgateFunction(this, 'Handler', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      taskName: 'webhook',
      memorySize: 256,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      environment: {
        TOLLGATE_WEBHOOK_SECRET_ARN: this.secret.secretArn,
        TOLLGATE_EVENT_BUS_NAME: props.eventBus.eventBusName,
      },
    });
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secret.secretArn],
      }),
    );
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }),
    );
    this.url = this.handler.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    NagSuppressions.addResourceSuppressions(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'The value is shared with GitHub; rotating it needs the GitHub webhook updated in the same step, ' +
          'which a rotation Lambda cannot do without a GitHub admin token',
      },
    ]);
  }
}
