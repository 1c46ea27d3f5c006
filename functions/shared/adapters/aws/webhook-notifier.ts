import { assertNotification } from '../../approvals/notification-check.js';
import { InvalidInputError, TollgateError } from '../../errors.js';
import type { Notification, Notifier } from '../../ports/notifier.js';
import type { TextSecret } from '../../ports/text-secret.js';

export interface WebhookNotifierOptions {
  /**
   * The webhook URL (e.g. a Slack incoming webhook), read on every delivery: a `CachedSecret` keeps
   * it for minutes, so a URL rotated after a leak is picked up without redeploying the functions.
   */
  readonly url: TextSecret;
  /** Names the secret in errors; the URL itself never appears in one. */
  readonly secretId: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

/**
 * POSTs `{ text }` (the Slack incoming-webhook shape, which Teams and Mattermost accept too) to a
 * URL kept in Secrets Manager: the URL itself is a credential, so it is never in config, env vars
 * or error messages.
 */
export class WebhookNotifier implements Notifier {
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: WebhookNotifierOptions) {
    if (!options?.url)
      throw new InvalidInputError('WebhookNotifier needs the secret holding the webhook URL');
    if (typeof options.secretId !== 'string' || !options.secretId)
      throw new InvalidInputError('WebhookNotifier needs the id of the secret holding the webhook URL');
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async notify(notification: Notification): Promise<void> {
    assertNotification(notification);
    const url = await this.webhookUrl();
    const text = [`*${notification.subject}*`, notification.body, notification.link]
      .filter(Boolean)
      .join('\n');
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new TollgateError(`webhook notification failed: ${(error as Error).name}`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new TollgateError(`webhook notification was refused with HTTP ${response.status}`);
    }
    await response.body?.cancel();
  }

  private async webhookUrl(): Promise<string> {
    const value = (await this.options.url.get()).trim();
    // Plain http only on loopback, where a local test receiver listens.
    if (!/^(https:\/\/\S+|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/\S*)?)$/.test(value)) {
      throw new InvalidInputError(`secret ${this.options.secretId} does not hold an https webhook URL`);
    }
    return value;
  }
}
