import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../../clock.js';
import type { TextSecret } from '../../ports/text-secret.js';

/**
 * A text secret (the push webhook's shared secret) read from Secrets Manager and kept for `ttlMs`,
 * so a burst of deliveries or runs costs one GetSecretValue per container and a rotated secret is
 * picked up within the TTL. The webhook verifies GitHub's signatures with it; plan-run checks the
 * webhook's commit attestations with it.
 */
export class CachedSecret implements TextSecret {
  private cached?: { value: string; fetchedAt: number };

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly clock: Clock,
    private readonly ttlMs = 5 * 60_000,
  ) {
    if (!secretId) throw new Error('secret id is empty; the TollgatePipeline construct sets it');
    if (!(ttlMs >= 0)) throw new Error(`secret cache TTL must be >= 0 ms, got ${ttlMs}`);
  }

  async get(): Promise<string> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.fetchedAt < this.ttlMs) return this.cached.value;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    if (!out.SecretString) {
      throw new Error(`secret ${this.secretId} has no string value; store the secret as text`);
    }
    this.cached = { value: out.SecretString, fetchedAt: now };
    return out.SecretString;
  }
}
