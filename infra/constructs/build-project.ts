import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import { buildSourceFor, useConnection } from './build-source.js';

export interface BuildProjectProps {
  readonly config: TollgateConfig;
  /** The project name plan-run hands to `codebuild:startBuild.sync`. */
  readonly projectName: string;
  readonly artifacts: s3.IBucket;
  readonly images: ecr.IRepository;
  /**
   * Where CodeBuild fetches the commit from.
   * @default `aws.buildSource` from the config: the CodeCommit repository named `source.repository`,
   * or that GitHub repository through a CodeConnections connection
   */
  readonly source?: codebuild.ISource;
  /**
   * @default `build.timeout` from the config, in whole minutes (CodeBuild allows 5 to 2160)
   */
  readonly timeout?: Duration;
}

/**
 * The project the Build state starts. It runs `build.command` on the exact commit (SourceVersion)
 * and uploads `build.artifact` to the key the state machine passes in `TOLLGATE_ARTIFACT_KEY`,
 * which is where register-release picks it up.
 */
export class BuildProject extends Construct {
  readonly project: codebuild.Project;

  constructor(scope: Construct, id: string, props: BuildProjectProps) {
    super(scope, id);
    const { build } = props.config;
    const key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: `Encrypts ${props.projectName} build output`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const withImage = build.image !== undefined;
    const configured = props.config.aws?.buildSource ?? { type: 'codecommit' as const };
    this.project = new codebuild.Project(this, 'Project', {
      projectName: props.projectName,
      description: `Builds ${props.config.name} once per commit for Tollgate`,
      source: props.source ?? buildSourceFor(this, props.config.source.repository, configured),
      encryptionKey: key,
      timeout: props.timeout ?? codeBuildTimeout(props.config.build.timeout),
      environment: {
        buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
        computeType: codebuild.ComputeType.SMALL,
        // Docker-in-Docker needs privileged mode; only when the build also produces an image.
        privileged: withImage,
      },
      environmentVariables: {
        TOLLGATE_ARTIFACT_BUCKET: { value: props.artifacts.bucketName },
        TOLLGATE_BUILD_ARTIFACT: { value: build.artifact },
        ...(withImage ? { TOLLGATE_IMAGE_REPOSITORY_URI: { value: props.images.repositoryUri } } : {}),
      },
      logging: { cloudWatch: { logGroup } },
      buildSpec: codebuild.BuildSpec.fromObject(buildSpecFor(build.command, withImage)),
    });
    this.project.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [props.artifacts.arnForObjects('builds/*')],
      }),
    );
    if (withImage) props.images.grantPullPush(this.project);
    if (!props.source) useConnection(this.project, configured);

    NagSuppressions.addResourceSuppressions(
      this.project,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Build uploads go under builds/<pipeline>/<commit>/, a key known only per run; CodeBuild names its ' +
            'log streams and report groups per build; the KMS actions are limited to the project key; ' +
            'ecr:GetAuthorizationToken is account-wide by design (only with build.image)',
          appliesTo: [
            { regex: '/^Resource::<.*\\.Arn>\\/builds\\/\\*$/g' },
            { regex: '/^Resource::arn:<AWS::Partition>:codebuild:.*:report-group\\/.*-\\*$/g' },
            { regex: '/^Resource::<.*Logs.*\\.Arn>:\\*$/g' },
            { regex: '/^Resource::arn:<AWS::Partition>:logs:.*:\\*$/g' },
            // CDK's grant for the project's own encryption key; the resource is that one key.
            'Action::kms:ReEncrypt*',
            'Action::kms:GenerateDataKey*',
            'Action::ecr:GetAuthorizationToken',
            'Resource::*',
          ],
        },
        ...(withImage
          ? [
              {
                id: 'AwsSolutions-CB3',
                reason: 'build.image is set: the build runs docker build, which needs privileged mode',
              },
            ]
          : []),
      ],
      true,
    );
  }
}

/** CodeBuild counts its timeout in whole minutes, from 5 to 2160; `build.timeout` is in seconds. */
export function codeBuildTimeout(seconds: number): Duration {
  return Duration.minutes(Math.min(2160, Math.max(5, Math.ceil(seconds / 60))));
}

/**
 * The image is built from `Dockerfile` at the repository root, with the root as its context, and
 * pushed tagged `<commit>-<build number>`: the tag names the commit, and the build number keeps a
 * re-run of the same commit (whose image bytes differ) clear of the repository's immutable tags.
 * The pushed manifest's digest is exported as TOLLGATE_IMAGE_DIGEST, which the Build state hands to
 * register-release. `docker inspect` reports RepoDigests only once the push has succeeded.
 */
const IMAGE_COMMANDS = [
  'TOLLGATE_IMAGE="$TOLLGATE_IMAGE_REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION-$CODEBUILD_BUILD_NUMBER"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion (the registry host)
  'aws ecr get-login-password | docker login --username AWS --password-stdin "${TOLLGATE_IMAGE_REPOSITORY_URI%%/*}"',
  'docker build --file Dockerfile --tag "$TOLLGATE_IMAGE" .',
  'docker push "$TOLLGATE_IMAGE"',
  'TOLLGATE_PUSHED="$(docker inspect --format \'{{index .RepoDigests 0}}\' "$TOLLGATE_IMAGE")"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion (the digest after @)
  'export TOLLGATE_IMAGE_DIGEST="${TOLLGATE_PUSHED#*@}"',
];

/**
 * Everything runs in the build phase: a failing command skips the rest of its phase, so a failed
 * build uploads no artifact and pushes no image (post_build would run even after a failure).
 */
export function buildSpecFor(command: string, withImage: boolean): Record<string, unknown> {
  return {
    version: '0.2',
    env: {
      // 0.2 runs every command in one shell, so the digest set by one command reaches the export.
      shell: 'bash',
      ...(withImage ? { 'exported-variables': ['TOLLGATE_IMAGE_DIGEST'] } : {}),
    },
    phases: {
      build: {
        commands: [
          command,
          'aws s3 cp "$TOLLGATE_BUILD_ARTIFACT" "s3://$TOLLGATE_ARTIFACT_BUCKET/$TOLLGATE_ARTIFACT_KEY"',
          ...(withImage ? IMAGE_COMMANDS : []),
        ],
      },
    },
  };
}
