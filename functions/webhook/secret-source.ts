import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../shared/clock.js';
import type { WebhookSecretSource } from './webhook.js';

/**
 * Reads the webhook secret from Secrets Manager and keeps it for `ttlMs`, so a burst of deliveries
 * costs one GetSecretValue per container and a rotated secret is picked up within the TTL.
 */
export class SecretsManagerWebhookSecret implements WebhookSecretSource {
  private cached?: { value: string; fetchedAt: number };

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly clock: Clock,
    private readonly ttlMs = 5 * 60_000,
  ) {
    if (!secretId) throw new Error('webhook secret id is empty; set TOLLGATE_WEBHOOK_SECRET_ARN');
    if (!(ttlMs >= 0)) throw new Error(`secret cache TTL must be >= 0 ms, got ${ttlMs}`);
  }

  async get(): Promise<string> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.fetchedAt < this.ttlMs) return this.cached.value;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    if (!out.SecretString) {
      throw new Error(`secret ${this.secretId} has no string value; store the GitHub webhook secret as text`);
    }
    this.cached = { value: out.SecretString, fetchedAt: now };
    return out.SecretString;
  }
}
