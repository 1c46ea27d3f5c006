import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { AwsBuildSource } from '../../functions/shared/config/aws-schema.js';

/**
 * Where CodeBuild fetches the commit the Build state names (SourceVersion): the CodeCommit
 * repository, or GitHub through a CodeConnections connection. Builds are started by the state
 * machine only, so no CodeBuild webhook is created and no commit status is reported.
 */
export function buildSourceFor(
  scope: Construct,
  repository: string,
  source: AwsBuildSource,
): codebuild.ISource {
  if (source.type === 'codecommit') {
    return codebuild.Source.codeCommit({
      repository: codecommit.Repository.fromRepositoryName(scope, 'Repository', repository),
    });
  }
  return codebuild.Source.gitHub({
    owner: source.owner,
    repo: repository,
    webhook: false,
    reportBuildStatus: false,
  });
}

/**
 * CDK's GitHub source has no connection setting, so the project's `Source.Auth` is set directly;
 * CodeBuild then fetches with the connection's token, which its role must be allowed to get (the
 * IAM prefix follows the ARN's: codeconnections or codestar-connections).
 */
export function useConnection(project: codebuild.Project, source: AwsBuildSource): void {
  if (source.type !== 'github') return;
  const cfn = project.node.defaultChild as codebuild.CfnProject;
  cfn.addPropertyOverride('Source.Auth', { Type: 'CODECONNECTIONS', Resource: source.connectionArn });
  const service = source.connectionArn.split(':')[2];
  project.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [`${service}:GetConnectionToken`, `${service}:GetConnection`, `${service}:UseConnection`],
      resources: [source.connectionArn],
    }),
  );
}
