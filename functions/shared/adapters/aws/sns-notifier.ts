import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { assertNotification } from '../../approvals/notification-check.js';
import { InvalidInputError } from '../../errors.js';
import type { Notification, Notifier } from '../../ports/notifier.js';

export interface SnsNotifierOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
}

/** SNS subjects: at most 100 characters, printable ASCII, no line breaks. */
const SUBJECT_MAX = 100;
/** The notice's scalar `data` fields that subscribers may filter on. */
const ATTRIBUTES = ['kind', 'pipeline', 'environment', 'release', 'approvalId'] as const;

/**
 * Publishes a notice to the approvals topic. Subscription filter policies can route on the message
 * attributes (e.g. only prod approvals to the prod approvers' e-mail list).
 */
export class SnsNotifier implements Notifier {
  private readonly client: SNSClient;
  private readonly topicArn: string;

  constructor(options: SnsNotifierOptions) {
    if (!options?.client) throw new InvalidInputError('SnsNotifier needs an SNS client');
    if (
      typeof options.topicArn !== 'string' ||
      !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(options.topicArn)
    )
      throw new InvalidInputError(`SnsNotifier topic "${options.topicArn}" is not an SNS topic ARN`);
    this.client = options.client;
    this.topicArn = options.topicArn;
  }

  async notify(notification: Notification): Promise<void> {
    assertNotification(notification);
    const attributes: Record<string, { DataType: 'String'; StringValue: string }> = {};
    for (const name of ATTRIBUTES) {
      const value = notification.data[name];
      if (typeof value === 'string' && value) attributes[name] = { DataType: 'String', StringValue: value };
    }
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subjectOf(notification.subject),
        Message: notification.link ? `${notification.body}\n\n${notification.link}` : notification.body,
        MessageAttributes: attributes,
      }),
    );
  }
}

function subjectOf(subject: string): string {
  // SNS rejects a subject with control or non-ASCII characters, so fold them rather than lose the notice.
  const ascii = subject.replace(/[^\x20-\x7e]/g, '?').trim();
  return ascii.length > SUBJECT_MAX ? `${ascii.slice(0, SUBJECT_MAX - 3)}...` : ascii;
}
