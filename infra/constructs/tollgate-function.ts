import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { configDigest, TASK_ENV } from '../../functions/shared/wiring/env.js';
import { bundleLambdaSync, cachedBundle } from '../lambda-build.js';
import { prebuiltHandlerDir, REPO_ROOT } from '../repo-paths.js';
import { type CodeSource, functionCode } from './bundled-config.js';

/** Lambda caps the total size of a function's environment variables (keys + values) at 4 KB. */
const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;
/** A token (bucket name, table name) is unknown at synth; count it at the longest AWS name we use. */
const TOKEN_ESTIMATE_BYTES = 256;

export interface TollgateFunctionProps {
  /**
   * Absolute path of the handler module (`functions/<name>/handler.ts`). An installed package ships
   * no sources: when `projectRoot` is the package's own, the bundle `npm run build` made of the same
   * handler (`dist/lambda/<name>/`) is deployed as it is. With sources, that bundle is reused only
   * while every file it was built from is unchanged (`dist/lambda/<name>.build.json`).
   */
  readonly entry: string;
  /** Repository root: esbuild resolves node_modules and the lock file from here. */
  readonly projectRoot: string;
  /** Short name used in descriptions and error messages, e.g. `register-release`. */
  readonly taskName: string;
  /**
   * The pipeline config as the JSON text the function reads. The bundle carries it as
   * `tollgate-config.json` (variables are capped at 4 KB); only its sha256 is a variable
   * (`TOLLGATE_CONFIG_SHA256`), so a config change still shows in the template.
   * @default no config file (a function that reads no config, like the webhook)
   */
  readonly config?: string;
  /**
   * Environment variables; `NODE_OPTIONS=--enable-source-maps` is always added.
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * How long the function's own log group keeps logs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Runs the function inside this VPC (for functions that open database connections).
   * @default no VPC
   */
  readonly network?: FunctionNetwork;
}

export interface FunctionNetwork {
  readonly vpc: ec2.IVpc;
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  /**
   * @default the VPC's private subnets with egress
   */
  readonly subnets?: ec2.SubnetSelection;
}

/** A function network behind one security group, in the given subnets or the VPC's private ones. */
export function behindGroup(
  vpc: ec2.IVpc,
  group: ec2.ISecurityGroup,
  subnets: ec2.SubnetSelection | undefined,
): FunctionNetwork {
  return { vpc, securityGroups: [group], ...(subnets ? { subnets } : {}) };
}

/**
 * The house Lambda function: Node 22 on arm64, bundled locally by esbuild (no Docker) with the
 * options of infra/lambda-build.ts, or the same bundle reused from `npm run build` when its manifest
 * shows nothing it was built from has changed; source maps on, X-Ray active, a dedicated log group, and a role of its own that starts with nothing but
 * writing to that log group. Callers add exactly the statements the function needs.
 */
export class TollgateFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The config text the bundle carries as `tollgate-config.json`, when the function has one. */
  readonly config: string | undefined;
  /**
   * How the synth made this function's code: `build` reused the bundle `npm run build` left in
   * dist/lambda/ (its inputs unchanged), `esbuild` bundled the handler. Undefined until CDK bundles
   * the stack, and for a stack it does not bundle.
   */
  codeFrom: CodeSource['from'] | undefined;
  private readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: TollgateFunctionProps) {
    super(scope, id);
    const fromSource = existsSync(props.entry);
    // Only Tollgate's own root falls back to its bundles: a projectRoot given without the handler
    // is a mistake to name, not to cover with Tollgate's code.
    const ownRoot = resolve(props.projectRoot) === REPO_ROOT;
    const prebuilt = fromSource || !ownRoot ? undefined : prebuiltHandlerDir(basename(dirname(props.entry)));
    if (!fromSource && !prebuilt) {
      throw new Error(
        `handler for "${props.taskName}" not found at ${props.entry}; create it or fix the task name`,
      );
    }
    if (props.memorySize !== undefined && !(props.memorySize >= 128 && props.memorySize <= 10_240)) {
      throw new Error(`memorySize for "${props.taskName}" must be 128-10240 MB, got ${props.memorySize}`);
    }
    const { config } = props;
    this.config = config;
    this.environment = {
      ...props.environment,
      ...(config === undefined ? {} : { [TASK_ENV.configDigest]: configDigest(config) }),
      NODE_OPTIONS: '--enable-source-maps',
    };

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Tollgate ${props.taskName}: only what its ports need`,
    });
    // Instead of AWSLambdaBasicExecutionRole (any log group in the account): just this one.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const settings: lambda.FunctionOptions & { runtime: lambda.Runtime } = {
      description: `Tollgate ${props.taskName}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(60),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment: this.environment,
      ...(props.network
        ? {
            vpc: props.network.vpc,
            securityGroups: [...props.network.securityGroups],
            ...(props.network.subnets ? { vpcSubnets: props.network.subnets } : {}),
          }
        : {}),
    };
    const name = basename(dirname(props.entry));
    const root = resolve(props.projectRoot);
    // Decided when CDK bundles (not for stacks it skips): a build older than the sources is not used.
    const source = (): CodeSource => {
      if (prebuilt) return { from: 'build', dir: prebuilt };
      const cached = cachedBundle(root, name, props.entry);
      return 'dir' in cached
        ? { from: 'build', dir: cached.dir }
        : { from: 'esbuild', bundle: (outputDir) => bundleLambdaSync(root, name, props.entry, outputDir) };
    };
    this.function = new lambda.Function(this, 'Function', {
      ...settings,
      code: functionCode(fromSource ? dirname(props.entry) : (prebuilt as string), source, config, (from) => {
        this.codeFrom = from;
      }),
      handler: 'index.handler',
    });

    if (props.network) this.allowNetworkInterfaces();
    this.node.addValidation({ validate: () => this.validateEnvironmentSize(props.taskName) });
    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Tollgate targets the Node.js 22 Lambda runtime (the version its code and bundles are tested on)',
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }

  /**
   * What AWSLambdaVPCAccessExecutionRole grants, inline: the role is ours, so CDK adds no managed
   * policy. Lambda checks these rights when the function is created, hence the explicit dependency.
   */
  private allowNetworkInterfaces(): void {
    const policy = new iam.Policy(this, 'NetworkInterfaces', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      ],
    });
    this.function.node.addDependency(policy);
    NagSuppressions.addResourceSuppressions(policy, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Lambda manages the hyperplane network interfaces of a VPC function with these EC2 actions; the ' +
          'Describe actions have no resource-level permissions and the interface ids are not known in advance',
        appliesTo: ['Resource::*'],
      },
    ]);
  }

  get functionArn(): string {
    return this.function.functionArn;
  }

  addToRolePolicy(statement: iam.PolicyStatement): void {
    this.role.addToPolicy(statement);
  }

  private validateEnvironmentSize(taskName: string): string[] {
    const size = (value: string) =>
      Token.isUnresolved(value) ? TOKEN_ESTIMATE_BYTES : Buffer.byteLength(value);
    const sizes = Object.entries(this.environment).map(([key, value]) => ({
      key,
      bytes: Buffer.byteLength(key) + size(value),
    }));
    const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
    if (total <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return [];
    // The config travels in the bundle; what can still grow is a variable such as the map of
    // database secret ids, one entry per environment. Name it, so the fix is obvious.
    const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    return [
      `environment variables of function "${taskName}" take about ${total} bytes (${largest.key} alone is ` +
        `${largest.bytes}); Lambda allows ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}: shorten ${largest.key}`,
    ];
  }
}
