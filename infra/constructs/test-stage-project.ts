import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { BLOB_PREFIX } from '../../functions/shared/adapters/artifact-input.js';
import { REPO_ROOT } from '../repo-paths.js';

/** The driver the buildspec writes into each build; shipped in the package beside the CDK app. */
export const TEST_STAGE_DRIVER_PATH = resolve(REPO_ROOT, 'infra/test-stages/run-test-stages.mjs');
const DRIVER_END = 'TOLLGATE_DRIVER_END';

interface TestStageNetwork {
  readonly vpc: ec2.IVpc;
  /** @default the VPC's private subnets with egress */
  readonly subnets?: ec2.SubnetSelection;
  /** The databases' group admits the builds on `databasePort`. */
  readonly databaseSecurityGroup?: ec2.ISecurityGroup;
  readonly databasePort?: number;
}

export interface TestStageProjectProps {
  readonly projectName: string;
  /** Releases are read from it (`blobs/sha256/*`); results go under `tests/`. */
  readonly artifacts: s3.IBucket;
  /** IAM resources of the connection secrets of environments with tests and a database. */
  readonly databaseSecretArns: readonly string[];
  /**
   * Where the builds run: the environments' URLs are often internal, and the databases are.
   * @default no VPC (CodeBuild's own network: public URLs only)
   */
  readonly network?: TestStageNetwork;
}

/**
 * The project every test stage runs in, one build per phase (CodeBuildTestRunner starts it).
 *
 * Why CodeBuild: its standard image has the toolchain test suites need (node, python, java, a
 * shell); it runs in the VPC the data functions use, so it reaches internal environment URLs and
 * the databases; a build runs up to 36 hours where a Lambda stops at 15 minutes; and it needs no
 * image of the team's own, which an ECS task would. The release comes from the artifacts bucket
 * (the same bytes every environment runs, checked against the release's digest), not from a
 * checkout: the tests that run are the ones in the release.
 */
export class TestStageProject extends Construct {
  readonly project: codebuild.Project;
  readonly securityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: TestStageProjectProps) {
    super(scope, id);
    const network = props.network;
    if (network?.databaseSecurityGroup && network.databasePort === undefined)
      throw new Error('network.databaseSecurityGroup needs network.databasePort');
    const key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: `Encrypts ${props.projectName} build output`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (network) {
      // Test commands reach the environment's URL, its database, S3 and whatever the suite calls.
      this.securityGroup = new ec2.SecurityGroup(this, 'Builds', {
        vpc: network.vpc,
        description:
          'Tollgate test stages: out to the environments, their databases and AWS APIs, nothing in',
        allowAllOutbound: true,
      });
      // From our side, as DataNetwork does, so the ingress rule lands in this stack, not the group's.
      if (network.databaseSecurityGroup && network.databasePort !== undefined)
        this.securityGroup.connections.allowTo(
          network.databaseSecurityGroup,
          ec2.Port.tcp(network.databasePort),
          'Tollgate test stages to the environment databases',
        );
    }
    this.project = new codebuild.Project(this, 'Project', {
      projectName: props.projectName,
      description: "Runs Tollgate's test stages in the release's unpacked tree",
      encryptionKey: key,
      environment: {
        buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
        computeType: codebuild.ComputeType.SMALL,
      },
      environmentVariables: { TOLLGATE_ARTIFACT_BUCKET: { value: props.artifacts.bucketName } },
      logging: { cloudWatch: { logGroup } },
      buildSpec: codebuild.BuildSpec.fromObject(
        testStageBuildSpec(readFileSync(TEST_STAGE_DRIVER_PATH, 'utf8')),
      ),
      ...(network && this.securityGroup
        ? {
            vpc: network.vpc,
            subnetSelection: network.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [this.securityGroup],
          }
        : {}),
    });
    this.project.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.artifacts.arnForObjects(`${BLOB_PREFIX}*`)],
      }),
    );
    this.project.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [props.artifacts.arnForObjects('tests/*')],
      }),
    );
    if (props.databaseSecretArns.length)
      // CodeBuild resolves a SECRETS_MANAGER variable with the project's role, as the build starts.
      this.project.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [...props.databaseSecretArns],
        }),
      );

    NagSuppressions.addResourceSuppressions(
      this.project,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Releases are content-addressed (blobs/sha256/<digest>) and results go under tests/<build>/, keys known ' +
            'only per run; CodeBuild names its log streams and report groups per build; the KMS actions are ' +
            "limited to the project key; a VPC build's network-interface actions have no resource-level permissions",
          appliesTo: [
            { regex: '/^Resource::<.*\\.Arn>\\/(blobs\\/sha256|tests)\\/\\*$/g' },
            { regex: '/^Resource::arn:<AWS::Partition>:codebuild:.*:report-group\\/.*-\\*$/g' },
            { regex: '/^Resource::<.*Logs.*\\.Arn>:\\*$/g' },
            { regex: '/^Resource::arn:<AWS::Partition>:logs:.*:\\*$/g' },
            { regex: '/^Resource::arn:<AWS::Partition>:ec2:.*:network-interface\\/\\*$/g' },
            'Action::kms:ReEncrypt*',
            'Action::kms:GenerateDataKey*',
            'Resource::*',
          ],
        },
      ],
      true,
    );
  }
}

/**
 * The release is downloaded from the bucket, checked against its digest (sha256 of the tarball,
 * as the local unpacker checks it) and unpacked; the driver then runs the phase's commands and
 * uploads each one's outcome and reports under `tests/<build uuid>/` as it finishes. Everything is
 * in the build phase: a failed download skips the rest, and run-tests reads the failed phase.
 */
function testStageBuildSpec(driver: string): Record<string, unknown> {
  if (driver.split('\n').includes(DRIVER_END))
    throw new Error(`the test-stage driver contains the line ${DRIVER_END}, which ends its here-document`);
  return {
    version: '0.2',
    env: { shell: 'bash' },
    phases: {
      build: {
        commands: [
          'TOLLGATE_WORK="$(mktemp -d)"',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion (the id's uuid)
          'TOLLGATE_RESULTS="s3://$TOLLGATE_ARTIFACT_BUCKET/tests/${CODEBUILD_BUILD_ID#*:}/"',
          'aws s3 cp --only-show-errors "s3://$TOLLGATE_ARTIFACT_BUCKET/$TOLLGATE_ARTIFACT_KEY" "$TOLLGATE_WORK/release.tgz"',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion (the hex of sha256:<hex>)
          'echo "${TOLLGATE_RELEASE_DIGEST#sha256:}  $TOLLGATE_WORK/release.tgz" | sha256sum --check --strict',
          'mkdir "$TOLLGATE_WORK/tree" && tar -xzf "$TOLLGATE_WORK/release.tgz" -C "$TOLLGATE_WORK/tree" --no-same-owner',
          `cat > "$TOLLGATE_WORK/run-test-stages.mjs" <<'${DRIVER_END}'\n${driver.trimEnd()}\n${DRIVER_END}`,
          'node "$TOLLGATE_WORK/run-test-stages.mjs" "$TOLLGATE_WORK/tree" "$TOLLGATE_WORK/out" "$TOLLGATE_RESULTS"',
        ],
      },
    },
  };
}
