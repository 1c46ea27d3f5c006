import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * The key schema functions/shared/adapters/aws/dynamodb-approval-store.ts reads and writes: records
 * at `approval#<id>`, task tokens at `token#<id>`, both expiring through `ttl` (epoch seconds), and a
 * sparse index over the `pending` attribute that only pending records carry.
 */
export const APPROVALS_TABLE = {
  partitionKey: 'pk',
  ttlAttribute: 'ttl',
  pendingIndex: 'pending',
  pendingKey: 'pending',
  pendingSortKey: 'requestedAt',
  /** What listPending reads from the index; the token item's `token` attribute is never projected. */
  pendingProjection: ['record', 'revision'],
} as const;

/** The approvals store and the topic approval notices are published to. */
export class ApprovalResources extends Construct {
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Approvals', {
      partitionKey: { name: APPROVALS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: APPROVALS_TABLE.ttlAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // The audit trail of every decision is the ledger (Object Lock); this table only holds the
      // live state of gates, and its token items must not outlive the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: APPROVALS_TABLE.pendingIndex,
      partitionKey: { name: APPROVALS_TABLE.pendingKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: APPROVALS_TABLE.pendingSortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...APPROVALS_TABLE.pendingProjection],
    });

    // A key of our own rather than alias/aws/sns: its policy can later admit subscribers such as
    // chat integrations, which the AWS managed key's fixed policy never can.
    this.topicKey = new kms.Key(this, 'NoticesKey', {
      enableKeyRotation: true,
      description: 'Encrypts Tollgate approval notices at rest in SNS',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = new sns.Topic(this, 'Notices', {
      displayName: 'Tollgate approval requests',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
  }
}
