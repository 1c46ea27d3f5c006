import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { ArtifactStoreMapObjects } from '../../../../runtime/engine/artifact-map-objects.js';
import type { LocalHandler } from '../../../../runtime/engine/lambda/object-lambda-invoker.js';
import { EngineHarness } from './engine-harness.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:work';

function distributed(extra: Record<string, unknown>, processor?: Record<string, unknown>) {
  return {
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        Label: 'each',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: { Work: processor ?? { Type: 'Task', Resource: FN, End: true } },
        },
        ...extra,
        End: true,
      },
    },
  };
}

describe('distributed Map: ItemReader, ItemBatcher, ResultWriter, tolerated failures, MapRun API', () => {
  let dir: string;
  let store: DirArtifactStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-dmap-'));
    store = new DirArtifactStore(dir);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function engine(handlers: Record<string, LocalHandler> = {}) {
    const h = new EngineHarness({ handlers, objects: new ArtifactStoreMapObjects(store) });
    await h.engine.start();
    return h;
  }

  it('reads a JSON array, batches it, writes manifest and results, and counts the Map Run', async () => {
    // Arrange
    await store.putImmutable('in-bucket/orders.json', JSON.stringify([1, 2, 3, 4, 5].map((n) => ({ n }))));
    const h = await engine({
      work: (event) => {
        const batch = event as { Items: { n: number }[]; BatchInput: { tag: string } };
        return {
          sum: batch.Items.reduce((a, i) => a + i.n, 0),
          tag: batch.BatchInput.tag,
        };
      },
    });
    const sm = await h.createStateMachine(
      distributed({
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Parameters: { Bucket: 'in-bucket', 'Key.$': '$.key' },
        },
        ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'tag.$': '$.tag' } },
        ResultWriter: {
          Resource: 'arn:aws:states:::s3:putObject',
          Parameters: { Bucket: 'out-bucket', Prefix: 'runs' },
        },
      }),
    );

    // Act
    const exec = await h.start(sm, { key: 'orders.json', tag: 'T' });
    const described = await h.until(exec, 'SUCCEEDED');
    const output = JSON.parse(described.output ?? '{}');
    const manifest = JSON.parse(
      await readFile(join(dir, 'out-bucket', output.ResultWriterDetails.Key), 'utf8'),
    );
    const succeeded = JSON.parse(
      await readFile(join(dir, 'out-bucket', manifest.ResultFiles.SUCCEEDED[0].Key), 'utf8'),
    );
    const mapRun = await h.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn: output.MapRunArn });
    const listed = await h.call<{ mapRuns: Array<Record<string, unknown>> }>('ListMapRuns', {
      executionArn: exec,
    });

    // Assert
    const runId = String(output.MapRunArn).split(':').pop();
    expect(output.ResultWriterDetails).toEqual({ Bucket: 'out-bucket', Key: `runs/${runId}/manifest.json` });
    expect(manifest).toMatchObject({
      DestinationBucket: 'out-bucket',
      MapRunArn: output.MapRunArn,
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `runs/${runId}/SUCCEEDED_0.json` }] },
    });
    expect(succeeded.map((e: { Output: string }) => JSON.parse(e.Output))).toEqual([
      { sum: 3, tag: 'T' },
      { sum: 7, tag: 'T' },
      { sum: 5, tag: 'T' },
    ]);
    expect(JSON.parse(succeeded[0].Input)).toEqual({ BatchInput: { tag: 'T' }, Items: [{ n: 1 }, { n: 2 }] });
    expect(succeeded[0]).toMatchObject({
      Status: 'SUCCEEDED',
      InputDetails: { Included: true },
      RedriveCount: 0,
    });
    expect(mapRun).toMatchObject({
      executionArn: exec,
      status: 'SUCCEEDED',
      itemCounts: { total: 5, succeeded: 5, failed: 0, pending: 0, running: 0 },
      executionCounts: { total: 3, succeeded: 3 },
    });
    expect(listed.mapRuns).toEqual([
      expect.objectContaining({
        executionArn: exec,
        mapRunArn: output.MapRunArn,
        stateMachineArn: `${sm}/each`,
      }),
    ]);
  });

  it('reads CSV rows by their header and tolerates failures up to ToleratedFailureCount', async () => {
    // Arrange
    await store.putImmutable('b/people.csv', 'name,city\nann,"Paris, FR"\nbob,Oslo\neve,Rome\n');
    const h = await engine({
      work: (event) => {
        const row = event as { name: string };
        if (row.name === 'bob') throw Object.assign(new Error('no'), { name: 'Nope' });
        return row.name.toUpperCase();
      },
    });
    const reader = {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
      Parameters: { Bucket: 'b', Key: 'people.csv' },
    };
    const tolerant = await h.createStateMachine(
      distributed({ ItemReader: reader, ToleratedFailureCount: 1 }),
      'ok',
    );
    const strict = await h.createStateMachine(distributed({ ItemReader: reader }), 'strict');

    // Act
    const passed = await h.until(await h.start(tolerant), 'SUCCEEDED');
    const failedExec = await h.start(strict);
    const failed = await h.until(failedExec, 'FAILED');
    const [run] = (
      await h.call<{ mapRuns: Array<{ mapRunArn: string }> }>('ListMapRuns', { executionArn: failedExec })
    ).mapRuns;
    const described = await h.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn: run.mapRunArn });

    // Assert
    expect(JSON.parse(passed.output ?? '[]')).toEqual([
      'ANN',
      { Error: 'Nope', Cause: expect.any(String) },
      'EVE',
    ]);
    expect(failed.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(described).toMatchObject({ status: 'FAILED', itemCounts: { failed: 1, total: 3 } });
  });

  it('lists objects with listObjectsV2 and batches by MaxInputBytesPerBatch', async () => {
    // Arrange
    await store.putImmutable('logs/day/a.log', 'aaaa');
    await store.putImmutable('logs/day/b.log', 'bb');
    await store.putImmutable('logs/other/c.log', 'c');
    const h = await engine();
    const sm = await h.createStateMachine(
      distributed(
        {
          ItemReader: {
            Resource: 'arn:aws:states:::s3:listObjectsV2',
            Parameters: { Bucket: 'logs', Prefix: 'day/' },
          },
          ItemSelector: { 'key.$': '$$.Map.Item.Value.Key', 'size.$': '$$.Map.Item.Value.Size' },
          ItemBatcher: { MaxInputBytesPerBatch: 40 },
        },
        { Type: 'Pass', End: true },
      ),
    );

    // Act
    const described = await h.until(await h.start(sm), 'SUCCEEDED');

    // Assert
    expect(JSON.parse(described.output ?? '[]')).toEqual([
      { Items: [{ key: 'day/a.log', size: 4 }] },
      { Items: [{ key: 'day/b.log', size: 2 }] },
    ]);
  });

  it('ends the Map Run ABORTED, its running child executions counted aborted, when the execution is stopped', async () => {
    // Arrange
    const h = await engine({ work: () => new Promise(() => {}) });
    const sm = await h.createStateMachine(distributed({ MaxConcurrency: 2 }));
    const exec = await h.start(sm, [1, 2, 3]);
    await h.settle();
    const [run] = (
      await h.call<{ mapRuns: Array<{ mapRunArn: string }> }>('ListMapRuns', { executionArn: exec })
    ).mapRuns;
    const running = await h.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn: run.mapRunArn });

    // Act
    await h.call('StopExecution', { executionArn: exec });
    await h.until(exec, 'ABORTED');
    const stopped = await h.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn: run.mapRunArn });

    // Assert
    expect(running).toMatchObject({ status: 'RUNNING', itemCounts: { running: 2, pending: 1, total: 3 } });
    expect(stopped).toMatchObject({ status: 'ABORTED', itemCounts: { aborted: 2, running: 0, pending: 1 } });
    expect(stopped.stopDate).toEqual(expect.any(Number));
  });

  it('fails with States.ItemReaderFailed when the object is missing or not an array', async () => {
    // Arrange
    await store.putImmutable('b/object.json', '{"not":"a list"}');
    const h = await engine();
    const reader = (key: string) =>
      distributed({
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Parameters: { Bucket: 'b', Key: key },
        },
      });

    // Act
    const missing = await h.until(
      await h.start(await h.createStateMachine(reader('nope.json'), 'a')),
      'FAILED',
    );
    const notArray = await h.until(
      await h.start(await h.createStateMachine(reader('object.json'), 'b')),
      'FAILED',
    );

    // Assert
    expect(missing).toMatchObject({ error: 'States.ItemReaderFailed' });
    expect(missing.cause).toContain('The specified key does not exist: s3://b/nope.json');
    expect(notArray.cause).toContain('the JSON object must hold an array');
  });

  it.each([
    [
      'DescribeMapRun',
      { mapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:sm/each:0000' },
      'ResourceNotFound',
    ],
    ['DescribeMapRun', { mapRunArn: 'not-an-arn' }, 'InvalidArn'],
    [
      'ListMapRuns',
      { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:none' },
      'ExecutionDoesNotExist',
    ],
  ])('%s refuses %j with %s', async (op, body, code) => {
    // Arrange
    const h = await engine();

    // Act
    const call = h.call(op, body);

    // Assert
    await expect(call).rejects.toMatchObject({ code });
  });
});
