import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { toPayloadText } from '../payload-text.js';
import { evaluateJsonataTemplate } from '../query/jsonata-evaluator.js';
import { QueryLanguage } from '../query/query-language.js';
import { applyTemplate } from '../states/io-processing.js';
import { jsonataScope, type StateRun } from '../states/state-run.js';
import type { ChildExecution } from './child-executions.js';

const PUT_OBJECT = /^arn:aws[a-z-]*:states:::s3:putObject$/;

/** The distributed Map's output when it has a ResultWriter, as AWS returns it. */
export interface ResultWriterOutput {
  readonly MapRunArn: string;
  readonly ResultWriterDetails: { readonly Bucket: string; readonly Key: string };
}

/**
 * Writes a Map Run's results as AWS does: `<Prefix>/<map run id>/SUCCEEDED_0.json` and
 * `FAILED_0.json` (each a list of the child executions that ended so, only when there are any)
 * and `manifest.json` naming them; the Map's output then points at the manifest.
 */
export async function writeResults(
  run: StateRun,
  writer: Readonly<Record<string, unknown>>,
  mapRunArn: string,
  children: readonly ChildExecution[],
  stateInput: unknown,
): Promise<ResultWriterOutput> {
  const objects = run.frame.services.objects;
  if (!PUT_OBJECT.test(String(writer.Resource))) {
    throw runtime(run, `unsupported ResultWriter resource ${String(writer.Resource)}`);
  }
  if (writer.WriterConfig !== undefined) {
    throw runtime(run, 'ResultWriter WriterConfig (COMPACT, FLATTEN, JSONL) is not supported by this engine');
  }
  const params = (await writerParameters(run, writer, stateInput)) as Record<string, unknown>;
  const bucket = params?.Bucket;
  if (typeof bucket !== 'string' || bucket === '')
    throw runtime(run, 'ResultWriter Parameters.Bucket must be a non-empty string');
  if (!objects) throw runtime(run, 'no object store is configured for the ResultWriter');
  const prefix =
    typeof params.Prefix === 'string' && params.Prefix !== '' ? `${params.Prefix.replace(/\/$/, '')}/` : '';
  const folder = `${prefix}${mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1)}`;
  const executionBase = mapRunArn.replace(':mapRun:', ':execution:').replace(/:[^:]+$/, '');
  const stateMachineArn = mapRunArn.replace(':mapRun:', ':stateMachine:').replace(/:[^:]+$/, '');
  const sorted = [...children].sort((a, b) => a.index - b.index);
  const files: Record<'FAILED' | 'PENDING' | 'SUCCEEDED', { Key: string; Size: number }[]> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  for (const status of ['SUCCEEDED', 'FAILED'] as const) {
    const entries = sorted
      .filter((c) => c.outcome.status === status)
      .map((c) => resultEntry(c, `${executionBase}:${c.name}`, stateMachineArn));
    if (entries.length === 0) continue;
    const key = `${folder}/${status}_0.json`;
    const body = JSON.stringify(entries);
    await objects.putObject(bucket, key, body);
    files[status].push({ Key: key, Size: Buffer.byteLength(body, 'utf8') });
  }
  const manifestKey = `${folder}/manifest.json`;
  await objects.putObject(
    bucket,
    manifestKey,
    JSON.stringify({ DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: files }),
  );
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: bucket, Key: manifestKey } };
}

function resultEntry(child: ChildExecution, executionArn: string, stateMachineArn: string) {
  const { outcome } = child;
  const ended =
    outcome.status === 'SUCCEEDED'
      ? { Output: toPayloadText(outcome.output), OutputDetails: { Included: true } }
      : {
          Error: outcome.error.error,
          ...(outcome.error.causeText !== undefined ? { Cause: outcome.error.causeText } : {}),
        };
  return {
    ExecutionArn: executionArn,
    Input: child.inputText,
    InputDetails: { Included: true },
    Name: child.name,
    ...ended,
    RedriveCount: 0,
    StartDate: new Date(child.startDate).toISOString(),
    StateMachineArn: stateMachineArn,
    Status: outcome.status,
    StopDate: new Date(child.stopDate).toISOString(),
  };
}

async function writerParameters(run: StateRun, writer: Readonly<Record<string, unknown>>, input: unknown) {
  if (run.language === QueryLanguage.JSONata) {
    return writer.Arguments === undefined
      ? {}
      : evaluateJsonataTemplate(writer.Arguments, jsonataScope(run), 'Arguments', run.prefix);
  }
  return writer.Parameters === undefined ? {} : applyTemplate(run, writer.Parameters, input);
}

function runtime(run: StateRun, why: string): StatesError {
  return new StatesError(StatesErrorName.Runtime, `${run.prefix} ${why}`);
}
