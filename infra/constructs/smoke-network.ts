import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { behindGroup, type FunctionNetwork } from './tollgate-function.js';

export interface SmokeNetworkProps {
  readonly vpc: ec2.IVpc;
  /** The environments' URLs and the smoke tests' own URLs: their ports are the only way out. */
  readonly urls: readonly string[];
  /**
   * @default the VPC's private subnets with egress
   */
  readonly subnets?: ec2.SubnetSelection;
}

/**
 * Where the smoke tests run when the stack has a network: an environment's URL is usually an
 * internal load balancer (`http://orders-test.internal…`) that a function outside the VPC cannot
 * reach. Its security group opens only the ports of the configured URLs, outbound, and nothing in;
 * the function calls no AWS API.
 */
export class SmokeNetwork extends Construct {
  readonly securityGroup: ec2.SecurityGroup;
  readonly network: FunctionNetwork;

  constructor(scope: Construct, id: string, props: SmokeNetworkProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'Functions', {
      vpc: props.vpc,
      description: 'Tollgate smoke tests: out to the environment URL ports only, nothing in',
      allowAllOutbound: false,
    });
    for (const port of urlPorts(props.urls)) {
      this.securityGroup.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(port),
        `environment URLs on port ${port}`,
      );
    }
    this.network = behindGroup(props.vpc, this.securityGroup, props.subnets);
  }
}

/** The distinct TCP ports of the URLs, in ascending order (80/443 when a URL names none). */
function urlPorts(urls: readonly string[]): number[] {
  const ports = new Set<number>();
  for (const text of urls) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new Error(`smoke test URL "${text}" is not a URL`);
    }
    ports.add(url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);
  }
  return [...ports].sort((a, b) => a - b);
}
