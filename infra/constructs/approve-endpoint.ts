import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TollgateFunction } from './tollgate-function.js';

export interface ApproveEndpointProps {
  /** Absolute path of `functions/approve/handler.ts` (its Lambda entry is `handler`). */
  readonly entry: string;
  readonly projectRoot: string;
  /** The pipeline config as JSON text; the function's bundle carries it (TollgateFunctionProps.config). */
  readonly config: string;
  /** The variables the approval ports read: ledger bucket and approvals table. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The approve function behind a function URL with AWS_IAM auth: Lambda verifies the SigV4 signature
 * and hands the function the caller's principal ARN, which approve checks against the approvers.
 *
 * The function trusts `requestContext.authorizer.iam.userArn`, so whoever may call it with a plain
 * Invoke could forge that field. Approvers therefore get `lambda:InvokeFunction` only under
 * `lambda:InvokedViaFunctionUrl` (the policy below), never unconditionally.
 */
export class ApproveEndpoint extends Construct {
  readonly handler: TollgateFunction;
  readonly url: lambda.FunctionUrl;
  /** Attach to approvers' roles or users: calling the URL is all it allows. */
  readonly approverPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ApproveEndpointProps) {
    super(scope, id);
    this.handler = new TollgateFunction(this, 'Handler', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      taskName: 'approve',
      memorySize: 256,
      config: props.config,
      environment: props.environment,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    this.url = this.handler.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });

    const functionArn = this.handler.functionArn;
    this.approverPolicy = new iam.ManagedPolicy(this, 'ApproverPolicy', {
      description: 'Tollgate approvers: call the approve function URL (SigV4), nothing else',
      statements: [
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunctionUrl'],
          resources: [functionArn],
          conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
        }),
        // Function URLs created since October 2025 also authorize InvokeFunction; the condition keeps
        // it to calls through the URL, where Lambda (not the caller) fills in the identity.
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [functionArn],
          conditions: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
        }),
      ],
    });
  }
}
