import { afterEach } from 'vitest';
import { createLocalPipeline, type LocalPipeline, type LocalPipelineOptions } from './local-pipeline.js';

type RunResult = Awaited<ReturnType<LocalPipeline['finish']>>;

/**
 * One local pipeline per test, closed after it whether it passed or not (its deployed processes
 * and sockets must not outlive it). Call at the top of a test file; `open` in each test.
 */
export function pipelinePerTest(): { open(options?: LocalPipelineOptions): Promise<LocalPipeline> } {
  let current: LocalPipeline | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    async open(options) {
      current = await createLocalPipeline(options);
      return current;
    },
  };
}

/** The first step of every "then a bad commit arrives" scenario: a release promoted everywhere. */
export async function promotedRelease(pipeline: LocalPipeline): Promise<RunResult> {
  const run = await pipeline.start(pipeline.repo.commit('good', { 'NOTES.md': 'good\n' }));
  const result = await pipeline.finish(run);
  if (result.status !== 'SUCCEEDED')
    throw new Error(`the good release's run ended ${JSON.stringify(result)}`);
  return result;
}

/** What the example app on `port` says it serves. */
export async function servedRelease(port: number): Promise<{ version: string; digest: string }> {
  const answer = await fetch(`http://127.0.0.1:${port}/version`);
  return (await answer.json()) as { version: string; digest: string };
}

/** The names of the states a run entered, in order, from its whole (paged) history. */
export async function enteredStates(pipeline: LocalPipeline, executionArn: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await pipeline.call<{
      events: Array<{ stateEnteredEventDetails?: { name: string } }>;
      nextToken?: string;
    }>('GetExecutionHistory', { executionArn, maxResults: 1000, nextToken });
    for (const event of page.events)
      if (event.stateEnteredEventDetails) names.push(event.stateEnteredEventDetails.name);
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}
