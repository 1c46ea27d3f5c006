import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedSecret } from '../../../../../../functions/shared/adapters/aws/cached-secret.js';
import { ManualClock } from '../../../../../../functions/shared/clock.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';

const TTL = 5 * 60_000;

describe.runIf(motoEnabled('CachedSecret on moto_server'))('CachedSecret on moto_server', () => {
  let moto: MotoServer;
  let secrets: SecretsManagerClient;
  beforeAll(async () => {
    moto = await startMotoServer();
    secrets = new SecretsManagerClient(moto.clientConfig);
  });
  afterAll(async () => {
    await moto?.stop();
  });

  const createSecret = async (input: { SecretString?: string; SecretBinary?: Uint8Array }) =>
    (
      await secrets.send(
        new CreateSecretCommand({ Name: `tollgate/webhook-${randomUUID().slice(0, 8)}`, ...input }),
      )
    ).ARN as string;

  it('keeps the value it read for the TTL and reads the rotated value once the TTL has passed', async () => {
    // Arrange
    const arn = await createSecret({ SecretString: 'first-secret' });
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const secret = new CachedSecret(secrets, arn, clock, TTL);
    const first = await secret.get();
    await secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'rotated-secret' }));
    // Act
    clock.advance(TTL - 1);
    const withinTtl = await secret.get();
    clock.advance(1);
    const afterTtl = await secret.get();
    // Assert
    expect([first, withinTtl, afterTtl]).toEqual(['first-secret', 'first-secret', 'rotated-secret']);
  });

  it('refuses a secret stored as binary, naming the secret and the fix', async () => {
    // Arrange
    const arn = await createSecret({ SecretBinary: new Uint8Array([1, 2, 3]) });
    // Act
    const read = new CachedSecret(secrets, arn, new ManualClock()).get();
    // Assert
    await expect(read).rejects.toThrow(`secret ${arn} has no string value; store the secret as text`);
  });

  it('fails with ResourceNotFoundException for a missing secret and reads again on the next call', async () => {
    // Arrange
    const name = `tollgate/missing-${randomUUID().slice(0, 8)}`;
    const secret = new CachedSecret(secrets, name, new ManualClock());
    // Act
    const missing = secret.get();
    await expect(missing).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await secrets.send(new CreateSecretCommand({ Name: name, SecretString: 'now-there' }));
    // Assert
    expect(await secret.get()).toBe('now-there');
  });
});
