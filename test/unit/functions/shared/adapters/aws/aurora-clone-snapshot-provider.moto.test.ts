import { randomUUID } from 'node:crypto';
import { CreateDBClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe } from 'vitest';
import { AuroraCloneSnapshotProvider } from '../../../../../../functions/shared/adapters/aws/aurora-clone-snapshot-provider.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';
import {
  type SnapshotProviderHarness,
  snapshotProviderContract,
} from '../../ports/snapshot-provider.contract.js';

/**
 * The snapshot-provider contract on moto's RDS and Secrets Manager: the clone is a real
 * RestoreDBClusterToPointInTime (copy-on-write) with its instance, labels are RDS tags, and the
 * connection secret is a Secrets Manager secret. moto reports a new cluster `creating` on its first
 * read and `available` on every later one, so a clone is seen RUNNING once; longer phases, and the
 * instance's own creation, are the stateful fake's (fake-rds.ts).
 */
describe.runIf(motoEnabled('AuroraCloneSnapshotProvider on moto_server'))(
  'AuroraCloneSnapshotProvider on moto_server',
  () => {
    let moto: MotoServer;
    let harness: SnapshotProviderHarness;
    beforeAll(async () => {
      moto = await startMotoServer();
      const rds = new RDSClient(moto.clientConfig);
      const secrets = new SecretsManagerClient(moto.clientConfig);
      const source = `orders-prod-${randomUUID().slice(0, 8)}`;
      const created = await rds.send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: source,
          Engine: 'aurora-postgresql',
          MasterUsername: 'app',
          MasterUserPassword: 'password123',
        }),
      );
      const secret = await secrets.send(
        new CreateSecretCommand({
          Name: `tollgate/test-db-${randomUUID().slice(0, 8)}`,
          SecretString: JSON.stringify({
            username: 'app',
            password: 'password123',
            host: created.DBCluster?.Endpoint,
            port: 5432,
            dbClusterIdentifier: source,
          }),
        }),
      );
      let n = 0;
      harness = {
        provider: new AuroraCloneSnapshotProvider({
          rds,
          secrets,
          sourceClusterId: source,
          instanceClass: 'db.serverless',
          connectionSecrets: { test: secret.ARN as string },
        }),
        sources: [source],
        newTarget: () => {
          n += 1;
          return `env${n}`;
        },
      };
    });
    afterAll(async () => {
      await moto?.stop();
    });

    snapshotProviderContract(() => harness);
  },
);
