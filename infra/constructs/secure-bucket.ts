import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface SecureBucketProps {
  /** Bucket that receives this bucket's server access logs. */
  readonly accessLogs: s3.IBucket;
  /** Prefix of this bucket's access logs in `accessLogs`. */
  readonly accessLogsPrefix: string;
  /**
   * Days after which a replaced or deleted object version is removed.
   * @default 90
   */
  readonly noncurrentVersionDays?: number;
  /**
   * Object Lock default retention in days (GOVERNANCE mode); undefined leaves Object Lock off.
   * @default undefined
   */
  readonly objectLockDays?: number;
}

/**
 * A bucket Tollgate trusts with releases or audit data: versioned, encrypted, never public, TLS only,
 * access-logged, and cleaned of stale versions and abandoned multipart uploads.
 */
export class SecureBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const noncurrentDays = props.noncurrentVersionDays ?? 90;
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) {
      throw new Error(`noncurrentVersionDays must be a whole number of days >= 1, got ${noncurrentDays}`);
    }
    if (
      props.objectLockDays !== undefined &&
      !(Number.isInteger(props.objectLockDays) && props.objectLockDays >= 1)
    ) {
      throw new Error(`objectLockDays must be a whole number of days >= 1, got ${props.objectLockDays}`);
    }
    this.bucket = new s3.Bucket(this, 'Bucket', {
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: props.accessLogsPrefix,
      // Releases and the ledger are the audit trail: a stack deletion must not take them along.
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.objectLockDays
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention: s3.ObjectLockRetention.governance(
              Duration.days(props.objectLockDays),
            ),
          }
        : {}),
      lifecycleRules: [
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(noncurrentDays) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
  }
}
