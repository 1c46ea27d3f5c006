import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoDbLockTable } from '../../../../../../functions/shared/adapters/aws/dynamodb-lock-table.js';
import { createMotoLockTable } from '../../../../../support/moto-lock-table.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';
import { lockTableContract } from '../../ports/lock-table.contract.js';

// A file of its own: aws-sdk-client-mock replaces every DynamoDBClient in the file that uses it.
describe.runIf(motoEnabled('DynamoDbLockTable on moto_server'))('DynamoDbLockTable on moto_server', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  lockTableContract('DynamoDbLockTable (moto)', async () => {
    const { client, tableName } = await createMotoLockTable(moto);
    return {
      table: new DynamoDbLockTable({ client, tableName }),
      other: new DynamoDbLockTable({ client: new DynamoDBClient(moto.clientConfig), tableName }),
    };
  });
});
