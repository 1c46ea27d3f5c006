import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { behindGroup, type FunctionNetwork } from './tollgate-function.js';

export interface DataNetworkProps {
  readonly vpc: ec2.IVpc;
  /** The security group of the environments' databases; it gets an ingress rule from the functions. */
  readonly databaseSecurityGroup: ec2.ISecurityGroup;
  /** The port the databases listen on. */
  readonly databasePort: number;
  /**
   * @default the VPC's private subnets with egress
   */
  readonly subnets?: ec2.SubnetSelection;
}

/**
 * Where the data functions run: a security group that may reach the databases on their port and
 * HTTPS (AWS APIs through NAT or VPC endpoints, the FlashArray REST API), and nothing else.
 */
export class DataNetwork extends Construct {
  readonly securityGroup: ec2.SecurityGroup;
  readonly network: FunctionNetwork;

  constructor(scope: Construct, id: string, props: DataNetworkProps) {
    super(scope, id);
    if (!Number.isInteger(props.databasePort) || props.databasePort < 1 || props.databasePort > 65_535) {
      throw new Error(`databasePort must be a TCP port (1-65535), got ${props.databasePort}`);
    }
    this.securityGroup = new ec2.SecurityGroup(this, 'Functions', {
      vpc: props.vpc,
      description: 'Tollgate data functions: database port and HTTPS out, nothing in',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'AWS APIs (Secrets Manager, RDS, S3) and the FlashArray REST API',
    );
    this.securityGroup.connections.allowTo(
      props.databaseSecurityGroup,
      ec2.Port.tcp(props.databasePort),
      'Tollgate data functions to the environment databases',
    );
    this.network = behindGroup(props.vpc, this.securityGroup, props.subnets);
  }
}
