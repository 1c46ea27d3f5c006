import {
  CreateClusterCommand,
  CreateServiceCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { MotoServer } from './moto-server.js';

/** What a canary environment stands on, as created in moto: the ARNs deploy.canary names. */
export interface AlbCanaryWorld {
  readonly listenerRuleArn: string;
  readonly targetGroupArn: string;
  readonly baselineTargetGroupArn: string;
  readonly cluster: string;
  readonly service: string;
  readonly canaryService: string;
}

/**
 * The project has no EC2 client (nothing but this fixture needs one), so the VPC and its two
 * subnets are made with EC2's query API directly; moto routes the call by the credential scope.
 */
export async function ec2(moto: MotoServer, params: Record<string, string>): Promise<string> {
  const response = await fetch(`${moto.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`EC2 ${params.Action} failed: ${text.slice(0, 300)}`);
  return text;
}

export const field = (xml: string, name: string): string => {
  const found = new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml);
  if (!found?.[1]) throw new Error(`no <${name}> in ${xml.slice(0, 200)}`);
  return found[1];
};

/**
 * A VPC with two subnets, an ALB whose HTTP listener has one rule forwarding all of `/*` to the
 * baseline target group, a canary target group beside it, and an ECS cluster with the environment
 * service (`serviceTaskDefinitionTags` on its task definition, `desiredCount` 2) and an idle canary
 * service (0 tasks), both on the same task definition family.
 */
export async function createAlbCanaryWorld(
  moto: MotoServer,
  clients: { ecs: ECSClient; elb: ElasticLoadBalancingV2Client },
  serviceTaskDefinitionTags: { key: string; value: string }[],
): Promise<AlbCanaryWorld> {
  const vpcId = field(await ec2(moto, { Action: 'CreateVpc', CidrBlock: '10.20.0.0/16' }), 'vpcId');
  const subnets: string[] = [];
  for (const [index, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
    const xml = await ec2(moto, {
      Action: 'CreateSubnet',
      VpcId: vpcId,
      CidrBlock: `10.20.${index}.0/24`,
      AvailabilityZone: zone,
    });
    subnets.push(field(xml, 'subnetId'));
  }
  const { elb, ecs } = clients;
  const lb = await elb.send(
    new CreateLoadBalancerCommand({ Name: 'orders', Subnets: subnets, Type: 'application' }),
  );
  const group = async (Name: string) =>
    (
      await elb.send(
        new CreateTargetGroupCommand({ Name, Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip' }),
      )
    ).TargetGroups![0]!.TargetGroupArn!;
  const baselineTargetGroupArn = await group('orders-prod');
  const targetGroupArn = await group('orders-canary');
  const listener = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn!,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
      ],
    }),
  );
  const rule = await elb.send(
    new CreateRuleCommand({
      ListenerArn: listener.Listeners![0]!.ListenerArn!,
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [{ TargetGroupArn: baselineTargetGroupArn, Weight: 1 }],
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
          },
        },
      ],
    }),
  );
  await ecs.send(new CreateClusterCommand({ clusterName: 'tollgate' }));
  const definition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'orders',
      containerDefinitions: [{ name: 'app', image: 'orders:1', essential: true, memory: 256 }],
      tags: serviceTaskDefinitionTags,
    }),
  );
  const service = async (serviceName: string, desiredCount: number, targetGroup: string) =>
    ecs.send(
      new CreateServiceCommand({
        cluster: 'tollgate',
        serviceName,
        taskDefinition: definition.taskDefinition!.taskDefinitionArn!,
        desiredCount,
        loadBalancers: [{ targetGroupArn: targetGroup, containerName: 'app', containerPort: 8080 }],
      }),
    );
  await service('orders', 2, baselineTargetGroupArn);
  await service('orders-canary', 0, targetGroupArn);
  return {
    listenerRuleArn: rule.Rules![0]!.RuleArn!,
    targetGroupArn,
    baselineTargetGroupArn,
    cluster: 'tollgate',
    service: 'orders',
    canaryService: 'orders-canary',
  };
}
