import { describe, expect, it } from 'vitest';
import { createUrlHandler } from '../../../../functions/approve/handler.js';
import { ApprovalCallbackError } from '../../../../functions/shared/approvals/errors.js';
import { approvalFixture } from './approval-fixture.js';

const event = (approvalId: string) => ({
  requestContext: {
    requestId: 'req-1',
    http: { method: 'POST' },
    authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/bob' } },
  },
  body: JSON.stringify({ approvalId, decision: 'approve', comment: '' }),
});

describe('approve function URL', () => {
  it('answers 503 and decides nothing when Step Functions cannot say whether the run still runs', async () => {
    // Arrange: an outage of DescribeExecution, as SfnTaskCallback reports it
    const f = await approvalFixture({ approvers: ['bob', 'carol'] });
    f.callback.runState = async () => {
      throw new ApprovalCallbackError(
        'unavailable',
        'Step Functions could not be reached (ThrottlingException); try again',
      );
    };
    const handler = createUrlHandler(async () => f.ports as never);
    // Act
    const answer = (await handler(event(f.record.id), { awsRequestId: 'req-1' } as never)) as {
      statusCode: number;
      body: string;
    };
    // Assert
    expect(answer.statusCode).toBe(503);
    expect(JSON.parse(answer.body).error).toMatch(/could not be reached \(ThrottlingException\); try again$/);
    expect((await f.current())?.votes).toEqual([]);
    expect((await f.current())?.status).toBe('pending');
  });
});
