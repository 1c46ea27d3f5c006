import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../functions/shared/config/load-config.js';
import { type LocalRuntime, startLocalRuntime } from '../../../../runtime/local-runtime.js';
import { validConfig } from '../../../support/config-fixtures.js';

const ROLE = 'arn:aws:iam::000000000000:role/items';

/** A distributed Map reading its items from s3://in-bucket/<key> and passing each through. */
const READS_ITEMS = {
  StartAt: 'Each',
  States: {
    Each: {
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
        Parameters: { Bucket: 'in-bucket', 'Key.$': '$.key' },
      },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'Keep',
        States: { Keep: { Type: 'Pass', End: true } },
      },
      End: true,
    },
  },
};

describe('tollgate up: distributed Map buckets', () => {
  let dir: string;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-up-objects-'));
    runtime = await startLocalRuntime({
      projectDir: dir,
      dataDir: join(dir, 'data'),
      port: 0,
      config: parseConfig(validConfig()),
      print: () => {},
    });
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(key: string) {
    const sfn = runtime.engine.service;
    const { stateMachineArn } = (await sfn.dispatch('CreateStateMachine', {
      name: `reads-${key.replace(/\W/g, '-')}`,
      roleArn: ROLE,
      definition: JSON.stringify(READS_ITEMS),
    })) as { stateMachineArn: string };
    const { executionArn } = (await sfn.dispatch('StartExecution', {
      stateMachineArn,
      input: JSON.stringify({ key }),
    })) as { executionArn: string };
    for (;;) {
      const described = (await sfn.dispatch('DescribeExecution', { executionArn })) as {
        status: string;
        output?: string;
        error?: string;
        cause?: string;
      };
      if (described.status !== 'RUNNING') return described;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('reads ItemReader objects from <data-dir>/objects/<bucket>/', async () => {
    // Arrange
    const bucket = join(runtime.dataDir, 'objects', 'in-bucket');
    mkdirSync(bucket, { recursive: true });
    writeFileSync(join(bucket, 'orders.csv'), 'id,qty\na1,2\nb2,5\n');

    // Act
    const described = await run('orders.csv');

    // Assert
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? 'null')).toEqual([
      { id: 'a1', qty: '2' },
      { id: 'b2', qty: '5' },
    ]);
  });

  it('fails the execution with States.ItemReaderFailed naming the missing object', async () => {
    // Act
    const described = await run('absent.csv');

    // Assert
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.ItemReaderFailed');
    expect(described.cause).toContain('The specified key does not exist: s3://in-bucket/absent.csv');
  });
});
