import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, REGION, type TemplateModel } from './template-model.js';

/** One authorization AWS makes for a request (a request can need several: tag-on-create, PassRole). */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
}

export interface RecordedCall extends IamRequest {
  /** The function (or `state machine`, `codebuild`) whose role signed the call. */
  readonly caller: string;
  readonly roleArn: string;
  readonly decision: 'Allowed' | 'Denied';
  /** Why, when denied (the simulator's verdict or a validation problem). */
  readonly reason?: string;
}

/**
 * Evaluates each call against the role's identity policies from the synthesized template (and the
 * bucket policy, for S3) with @cloud-copilot/iam-simulate, as IAM would for a same-account request.
 * Session policies, SCPs and permission boundaries do not exist in this stack.
 */
export class IamChecker {
  readonly calls: RecordedCall[] = [];
  /** Roles outside the stack (an approver's) with the policies the stack hands them. */
  private readonly outside = new Map<string, Array<{ name: string; document: unknown }>>();
  /**
   * Verdicts by request: the simulation is a pure function of the role's policies and the request,
   * and a run repeats the same calls (each rollout and build poll), so a rehearsal's ~2,700 calls
   * need a few hundred simulations. Emptied when a role's policies change.
   */
  private readonly verdicts = new Map<string, Promise<Pick<RecordedCall, 'decision' | 'reason'>>>();

  constructor(private readonly model: TemplateModel) {}

  addRole(roleArn: string, policies: Array<{ name: string; document: unknown }>): void {
    this.outside.set(roleArn, policies);
    this.verdicts.clear();
  }

  async check(caller: string, roleArn: string, request: IamRequest): Promise<RecordedCall> {
    const key = JSON.stringify([caller, roleArn, request.action, request.resource, request.context ?? {}]);
    let verdict = this.verdicts.get(key);
    if (!verdict) {
      verdict = this.simulate(caller, roleArn, request);
      this.verdicts.set(key, verdict);
    }
    const { decision, reason } = await verdict;
    const call: RecordedCall = {
      caller,
      roleArn,
      action: request.action,
      resource: request.resource,
      ...(request.context ? { context: request.context } : {}),
      decision,
      ...(reason ? { reason } : {}),
    };
    this.calls.push(call);
    return call;
  }

  private async simulate(
    caller: string,
    roleArn: string,
    request: IamRequest,
  ): Promise<Pick<RecordedCall, 'decision' | 'reason'>> {
    const role =
      this.model.roles.get(roleArn) ??
      (this.outside.has(roleArn) ? { policies: this.outside.get(roleArn)! } : undefined);
    const resourcePolicy = this.resourcePolicyFor(request.resource);
    const simulation: Simulation = {
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleArn.split('/').pop()}/${caller}`,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: {
          'aws:SecureTransport': 'true',
          'aws:PrincipalArn': roleArn,
          'aws:PrincipalAccount': ACCOUNT,
          'aws:RequestedRegion': REGION,
          ...request.context,
        },
      },
      identityPolicies: (role?.policies ?? []).map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    };
    let decision: RecordedCall['decision'] = 'Denied';
    let reason: string | undefined;
    if (!role) reason = `role ${roleArn} is not in the template`;
    else {
      const out = await runSimulation(simulation, {});
      if (out.resultType === 'error') reason = `simulator refused the request: ${JSON.stringify(out.errors)}`;
      else if (out.overallResult === 'Allowed') decision = 'Allowed';
      else reason = `${out.overallResult}: no statement of the role allows it`;
    }
    return { decision, ...(reason ? { reason } : {}) };
  }

  denied(): RecordedCall[] {
    return this.calls.filter((c) => c.decision === 'Denied');
  }

  /** An S3 bucket's policy from the template (TLS-only and similar statements apply to every caller). */
  private resourcePolicyFor(resource: string): unknown {
    const bucket = /^arn:aws:s3:::([^/]+)/.exec(resource)?.[1];
    if (!bucket) return undefined;
    for (const id of this.model.ofType('AWS::S3::BucketPolicy')) {
      const p = this.model.resources[id].Properties;
      if (this.model.resolve(p.Bucket) === bucket) return this.model.resolve(p.PolicyDocument);
    }
    return undefined;
  }
}

export function describeDenied(call: RecordedCall): string {
  const context =
    call.context && Object.keys(call.context).length ? ` with ${JSON.stringify(call.context)}` : '';
  return `${call.caller} may not ${call.action} on ${call.resource}${context} (${call.reason})`;
}
