import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { placeholdersIn } from '../../statemachines/placeholders.js';
import {
  describeUnbound,
  inStackPartition,
  integrationBindings,
  readDefinition,
  unboundPlaceholders,
} from '../asl-substitutions.js';

/** The managed rule Step Functions creates to learn when a `.sync` CodeBuild build finishes. */
const CODEBUILD_SYNC_RULE = 'StepFunctionsGetEventForCodeBuildStartBuildRule';

export interface PipelineStateMachineProps {
  readonly definitionPath: string;
  /** Placeholder name to value (ARN, name); every `${…}` in the definition must be a key. */
  readonly bindings: Readonly<Record<string, string>>;
  /** The task functions; the role may invoke exactly these. */
  readonly functionArns: readonly string[];
  /** The CodeBuild project the Build state starts. */
  readonly buildProjectArn: string;
  /** The project's name: its report groups are named `<project>-<group>`. */
  readonly buildProjectName: string;
  /**
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The STANDARD state machine built from statemachines/pipeline.asl.json. The definition goes into
 * the template as a string (not an S3 asset) so it can be reviewed and asserted on.
 */
export class PipelineStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineStateMachineProps) {
    super(scope, id);
    if (props.functionArns.length === 0)
      throw new Error('the state machine needs at least one task function');
    const definition = inStackPartition(readDefinition(props.definitionPath));
    const used = new Set(placeholdersIn(definition));
    const bindings = { ...props.bindings, ...integrationBindings(Stack.of(this).partition) };
    const substitutions = Object.fromEntries(Object.entries(bindings).filter(([name]) => used.has(name)));

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Tollgate pipeline: invokes its task functions and its build project',
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [...props.functionArns] }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['codebuild:StartBuild', 'codebuild:StopBuild', 'codebuild:BatchGetBuilds'],
        resources: [props.buildProjectArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        // The .sync integration reads the build's reports when it finishes; IAM authorizes
        // BatchGetReports on report groups (named after the project), not on the project.
        actions: ['codebuild:BatchGetReports'],
        resources: [
          Stack.of(this).formatArn({
            service: 'codebuild',
            resource: 'report-group',
            resourceName: `${props.buildProjectName}-*`,
          }),
        ],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          Stack.of(this).formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: CODEBUILD_SYNC_RULE,
          }),
        ],
      }),
    );

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(definition),
      definitionSubstitutions: substitutions,
      role: this.role,
      tracingEnabled: true,
      // Execution data holds task tokens and commit details; the history already keeps it.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    this.node.addValidation({
      validate: () => {
        const unbound = unboundPlaceholders(definition, bindings);
        return unbound.length ? [describeUnbound(props.definitionPath, unbound)] : [];
      },
    });
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'CloudWatch Logs vended-log delivery and X-Ray actions do not support resource-level permissions',
          appliesTo: ['Resource::*'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "The .sync integration reads the reports of the build's own report groups, which CodeBuild names <project>-<group>",
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:codebuild:.*:report-group\\/.*-\\*$/g' }],
        },
      ],
      true,
    );
  }
}
