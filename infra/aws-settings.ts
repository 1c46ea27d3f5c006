import { Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { AwsNetworkSettings } from '../functions/shared/config/aws-schema.js';
import type { TollgateConfig, TollgateConfigInput } from '../functions/shared/config/schema.js';

/** What the pipeline takes either as construct props (CDK users) or from the config's `aws` block. */
export interface AccountInputs {
  readonly databaseSecrets?: Readonly<Record<string, string>>;
  /** How problems with `databaseSecrets` name it: the config path or the prop. */
  readonly databaseSecretsPath: string;
  readonly vpc?: ec2.IVpc;
  readonly databaseSecurityGroup?: ec2.ISecurityGroup;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly databasePort?: number;
}

export interface AccountProps {
  readonly databaseSecrets?: Readonly<Record<string, string>>;
  readonly vpc?: ec2.IVpc;
  readonly databaseSecurityGroup?: ec2.ISecurityGroup;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly databasePort?: number;
}

/**
 * One place for each input: a value given both as a prop and in `aws` is refused rather than one
 * silently winning, since either could be the one the user meant.
 */
export function accountInputs(
  scope: Construct,
  written: TollgateConfigInput,
  config: TollgateConfig,
  props: AccountProps,
): AccountInputs {
  const aws = config.aws;
  const both = (prop: string, key: string) =>
    new Error(
      `${prop} is given both as a TollgatePipeline prop and as ${key} in the config; keep one (the config's, for \`cdk synth\`)`,
    );
  const secretsInConfig = written.aws?.databaseSecrets !== undefined;
  if (props.databaseSecrets !== undefined && secretsInConfig)
    throw both('databaseSecrets', 'aws.databaseSecrets');
  const networkProps = [props.vpc, props.databaseSecurityGroup, props.vpcSubnets, props.databasePort];
  if (aws?.network && networkProps.some((p) => p !== undefined))
    throw both('vpc, databaseSecurityGroup, vpcSubnets or databasePort', 'aws.network');
  const secrets = secretsInConfig
    ? { databaseSecrets: aws?.databaseSecrets, databaseSecretsPath: 'aws.databaseSecrets' }
    : {
        ...(props.databaseSecrets !== undefined ? { databaseSecrets: props.databaseSecrets } : {}),
        databaseSecretsPath: 'databaseSecrets',
      };
  if (!aws?.network) {
    return {
      ...secrets,
      ...(props.vpc ? { vpc: props.vpc } : {}),
      ...(props.databaseSecurityGroup ? { databaseSecurityGroup: props.databaseSecurityGroup } : {}),
      ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}),
      ...(props.databasePort !== undefined ? { databasePort: props.databasePort } : {}),
    };
  }
  return { ...secrets, ...importedNetwork(scope, aws.network) };
}

/**
 * The network by id, without a context lookup (synth stays offline). Only the VPC id matters: the
 * subnets are selected explicitly, so the VPC's own subnet and zone lists are never read.
 */
function importedNetwork(scope: Construct, network: AwsNetworkSettings) {
  const at = new Construct(scope, 'AccountNetwork');
  const vpc = ec2.Vpc.fromVpcAttributes(at, 'Vpc', {
    vpcId: network.vpcId,
    availabilityZones: Fn.getAzs(),
  });
  return {
    vpc,
    vpcSubnets: { subnets: network.subnetIds.map((id) => ec2.Subnet.fromSubnetId(at, id, id)) },
    databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(
      at,
      'DatabaseSecurityGroup',
      network.databaseSecurityGroupId,
    ),
    databasePort: network.databasePort,
  };
}
