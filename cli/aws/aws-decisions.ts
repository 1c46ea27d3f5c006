import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { DynamoDbApprovalStore } from '../../functions/shared/adapters/aws/dynamodb-approval-store.js';
import type { ApprovalRecord } from '../../functions/shared/ports/approval-store.js';
import type { AwsCliTarget } from '../client/cli-context.js';
import { CliError } from '../client/cli-error.js';
import { send } from '../client/pipeline-api.js';
import { ApproveUrlClient } from './approve-url-client.js';
import { decisionReply } from './decision-reply.js';
import { StackOutputName } from './stack-outputs.js';

/** Where `tollgate approve|reject` reads pending approvals and sends decisions. */
export interface DecisionChannel {
  pending(executionArn: string): Promise<ApprovalRecord[]>;
  decide(
    approvalId: string,
    decision: 'approve' | 'reject',
    comment: string,
  ): Promise<Record<string, unknown>>;
}

/**
 * The deployed stack's channel: pending approvals from its table, decisions through its approve
 * URL signed with the user's credentials, so the function sees who decides from the signature.
 */
export function awsDecisionChannel(
  target: AwsCliTarget,
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): DecisionChannel {
  return {
    async pending(executionArn) {
      const tableName = await target.output(StackOutputName.ApprovalsTableName);
      const store = new DynamoDbApprovalStore({ client: new DynamoDBClient({}), tableName });
      return send(target, () => store.listPending({ executionArn }));
    },
    async decide(approvalId, decision, comment) {
      const url = await target.output(StackOutputName.ApproveUrl);
      const answer = await new ApproveUrlClient({ url, credentials }).decide({
        approvalId,
        decision,
        comment,
      });
      const reply = decisionReply(answer);
      if (reply.status !== 200)
        throw new CliError(`${String(reply.body.reason)} (${String(reply.body.error)})`);
      return reply.body;
    },
  };
}
