import { IntegrationPattern } from './task-integration.js';

/** A Task's `Resource`, classified the way AWS dispatches it. */
export type TaskResource =
  | { readonly kind: 'lambda-function'; readonly arn: string }
  | {
      readonly kind: 'service';
      readonly arn: string;
      /** Without the pattern suffix, e.g. `arn:aws:states:::lambda:invoke`. */
      readonly base: string;
      /** `lambda`, `codebuild`, `aws-sdk:s3`… as AWS writes it in `resourceType`. */
      readonly resourceType: string;
      /** `invoke`, `startBuild.sync`… as AWS writes it in `resource`. */
      readonly resourceName: string;
      readonly pattern: IntegrationPattern;
    }
  | { readonly kind: 'activity'; readonly arn: string };

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;
const SERVICE_ARN = /^arn:aws[a-z-]*:states:::(aws-sdk:[A-Za-z0-9-]+|[A-Za-z0-9-]+):([A-Za-z0-9_.-]+)$/;
const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:[A-Za-z0-9_-]+$/;

/** Returns undefined for anything AWS would reject at CreateStateMachine. */
export function parseTaskResource(arn: string): TaskResource | undefined {
  if (LAMBDA_ARN.test(arn)) return { kind: 'lambda-function', arn };
  if (ACTIVITY_ARN.test(arn)) return { kind: 'activity', arn };
  const m = SERVICE_ARN.exec(arn);
  if (!m) return undefined;
  const [, service, actionWithSuffix] = m;
  let pattern: IntegrationPattern = IntegrationPattern.RequestResponse;
  let action = actionWithSuffix;
  if (actionWithSuffix.endsWith('.waitForTaskToken')) {
    pattern = IntegrationPattern.WaitForTaskToken;
    action = actionWithSuffix.slice(0, -'.waitForTaskToken'.length);
  } else if (actionWithSuffix.endsWith('.sync:2')) {
    pattern = IntegrationPattern.Sync;
    action = actionWithSuffix.slice(0, -'.sync:2'.length);
  } else if (actionWithSuffix.endsWith('.sync')) {
    pattern = IntegrationPattern.Sync;
    action = actionWithSuffix.slice(0, -'.sync'.length);
  }
  if (action.includes('.')) return undefined;
  return {
    kind: 'service',
    arn,
    base: arn.slice(0, arn.length - actionWithSuffix.length) + action,
    resourceType: service,
    resourceName: actionWithSuffix,
    pattern,
  };
}
