import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { TollgateConfigInput } from '../functions/shared/config/schema.js';
import { TollgatePipeline, type TollgatePipelineProps } from './constructs/tollgate-pipeline.js';
import { StackOutput } from './stack-output-names.js';

export { StackOutput };

export interface TollgateStackProps extends StackProps {
  /** The config as written (`defineConfig` input); the pipeline validates it. */
  readonly config: TollgateConfigInput;
  /**
   * Everything else the pipeline construct takes.
   * @default the construct's defaults
   */
  readonly pipeline?: Omit<TollgatePipelineProps, 'config'>;
}

export class TollgateStack extends Stack {
  readonly pipeline: TollgatePipeline;

  constructor(scope: Construct, id: string, props: TollgateStackProps) {
    super(scope, id, props);
    this.pipeline = new TollgatePipeline(this, 'Tollgate', { config: props.config, ...props.pipeline });
    const { storage, stateMachine, webhook, approvals, approve } = this.pipeline;
    const out = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    out(StackOutput.StateMachineArn, stateMachine.stateMachineArn, 'The pipeline state machine');
    out(
      StackOutput.ArtifactBucketName,
      storage.artifacts.bucketName,
      'Artifacts, releases and environment pointers',
    );
    out(StackOutput.LedgerBucketName, storage.ledger.bucketName, 'The release ledger (Object Lock)');
    out(StackOutput.LockTableName, storage.locks.tableName, 'Concurrency guard lock table');
    out(StackOutput.ImageRepositoryName, storage.images.repositoryName, 'Release images');
    out(
      StackOutput.ApproveUrl,
      approve.url.url,
      'Approve or reject: SigV4-signed POST {"approvalId","decision","comment"} (AWS_IAM auth)',
    );
    out(
      StackOutput.ApproverPolicyArn,
      approve.approverPolicy.managedPolicyArn,
      "Attach to approvers' roles or users: lets them call the approve URL and nothing else",
    );
    out(StackOutput.ApprovalsTableName, approvals.table.tableName, 'Pending and decided approvals');
    out(StackOutput.NotifyTopicArn, approvals.topic.topicArn, 'Approval notices; subscribe approvers here');
    if (webhook) {
      out(
        StackOutput.WebhookUrl,
        webhook.url.url,
        'GitHub push webhook payload URL (content type application/json)',
      );
      out(StackOutput.WebhookSecretArn, webhook.secret.secretArn, 'Secret to paste into the GitHub webhook');
    }
  }
}
