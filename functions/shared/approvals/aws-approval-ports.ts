import { buildAwsPorts } from '../wiring/aws-ports.js';
import { TASK_ENV } from '../wiring/env.js';
import type { ApprovalTaskPorts } from './approval-ports.js';

/** Variables the stack sets on the approval functions, beyond the shared ones (kept in TASK_ENV). */
export const APPROVAL_ENV = {
  approvalsTable: TASK_ENV.approvalsTable,
  /** Optional: Secrets Manager id of a chat webhook URL. */
  webhookSecret: TASK_ENV.webhookSecret,
} as const;

/**
 * The approval functions use the one AWS wiring every task uses: ports are lazy, so approve never
 * builds an SNS client and request-approval never an SFN one unless it re-delivers a decision.
 */
export async function awsApprovalPorts(env: NodeJS.ProcessEnv = process.env): Promise<ApprovalTaskPorts> {
  return buildAwsPorts(env);
}
