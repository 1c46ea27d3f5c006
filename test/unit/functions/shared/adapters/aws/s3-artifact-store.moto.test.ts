import { afterAll, beforeAll, describe } from 'vitest';
import { S3ArtifactStore } from '../../../../../../functions/shared/adapters/aws/s3-artifact-store.js';
import { createMotoBucket, motoS3Client } from '../../../../../support/moto-s3.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';
import { artifactStoreContract } from '../../ports/artifact-store.contract.js';

// A file of its own: aws-sdk-client-mock replaces every S3Client in the file that uses it.
describe.runIf(motoEnabled('S3ArtifactStore on moto_server'))('S3ArtifactStore on moto_server', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  artifactStoreContract('S3ArtifactStore (moto)', async () => {
    const client = motoS3Client(moto);
    const bucket = await createMotoBucket(client, 'artifacts');
    // 5 MiB parts (S3's minimum), so the contract's 12 MiB ingest goes through multipart and copy.
    return { store: new S3ArtifactStore({ client, bucket, prefix: 'tollgate/', partSize: 5 * 1024 * 1024 }) };
  });
});
