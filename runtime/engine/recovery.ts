import type { HistoryEvent } from '../asl/history/history-event.js';
import type { EngineCore } from './engine-core.js';
import { type ExecutionRecord, ExecutionStatus } from './engine-model.js';
import { applyRecord, type ReplayedTokens, readEngineRecord } from './engine-records.js';

/**
 * Rebuilds the engine from its log, then resumes every execution that was running by replaying
 * it: the execution runs again from where its current run began, and each thread of work — the
 * top level, every Map iteration and Parallel branch at any depth — is handed back its own
 * recorded events in order instead of recording them again (see ExecutionHistory.replayFrom).
 * Recorded results are fed back, never recomputed: a task whose result is in the history is not
 * called again, a Wait that ended does not wait, a state's recorded output and assignments are
 * adopted. Each thread goes live where its events run out, so:
 * - a Wait keeps its original due time (counted from its recorded Entered event);
 * - a pending task token stays valid and, once TaskSubmitted is recorded, its request is not sent
 *   again (the replayed attempt gets the very token it issued, see TaskTokenRegistry.issue);
 * - a task that was in flight (scheduled, no result) is called again with the same request —
 *   at-least-once, as on AWS — and its events are not recorded twice;
 * - the history ends up exactly as an uninterrupted run would have recorded it.
 *
 * Known limit: a distributed Map's child executions keep no history here, so after a restart
 * that Map runs all its items again.
 */
export async function recoverFromStore(core: EngineCore): Promise<void> {
  const tokens: ReplayedTokens = { pending: new Map(), settled: new Map(), known: new Map() };
  let records = 0;
  for await (const stored of core.journal.replay()) {
    const record = readEngineRecord(stored);
    // Records from a newer engine version are skipped rather than guessed at.
    if (record) applyRecord(core, tokens, record);
    records += 1;
  }
  for (const token of tokens.pending.values()) {
    const exec = core.executions.get(token.executionArn);
    if (exec?.status === ExecutionStatus.Running) core.tokens.restore(token);
    else core.tokens.markFinished(token.token, token);
  }
  // A send acknowledged before the crash whose task had not recorded it: handed to the attempt
  // that issued the token when replay reaches it (a finished attempt never asks for it).
  for (const { record, outcome } of tokens.settled.values()) {
    if (core.executions.get(record.executionArn)?.status === ExecutionStatus.Running) {
      core.tokens.restore(record, outcome);
    }
  }
  // Before anything resumes, so the compacted log is exactly what was just replayed.
  await core.journal.afterReplay(records);
  for (const exec of core.executions.values()) {
    if (exec.status === ExecutionStatus.Running) resume(core, exec);
  }
}

function resume(core: EngineCore, exec: ExecutionRecord): void {
  const events = exec.history.events;
  // The last Execution* event decides: a redriven run has its earlier ExecutionFailed before it.
  const last = events.findLast((e) => /^Execution(Succeeded|Failed|Aborted|TimedOut|Redriven)$/.test(e.type));
  if (last && last.type !== 'ExecutionRedriven') {
    // The terminal event was durable but the status record was not: settle from the event.
    settleFromEvent(exec, last);
    return;
  }
  const from = exec.redriveFrom ?? exec.checkpoint;
  if (last?.type === 'ExecutionRedriven' && from) {
    exec.history.replayFrom(last.id);
    core.launch(exec, {
      fresh: false,
      startAt: from.stateName,
      input: JSON.parse(from.inputText),
      variables: from.variables,
      sourceEventId: last.id,
    });
    return;
  }
  // ExecutionStarted itself is replayed when it is there, and recorded when it is not.
  exec.history.replayFrom(0);
  core.launch(exec, { fresh: true });
}

const TERMINAL_STATUS: Readonly<Record<string, ExecutionStatus>> = {
  ExecutionSucceeded: ExecutionStatus.Succeeded,
  ExecutionFailed: ExecutionStatus.Failed,
  ExecutionAborted: ExecutionStatus.Aborted,
  ExecutionTimedOut: ExecutionStatus.TimedOut,
};

function settleFromEvent(exec: ExecutionRecord, event: HistoryEvent): void {
  const details = Object.entries(event).find(([k]) => k.endsWith('EventDetails'))?.[1];
  const fields = details !== null && typeof details === 'object' ? details : {};
  exec.status = TERMINAL_STATUS[event.type] ?? ExecutionStatus.Failed;
  exec.stopDate = event.timestamp;
  exec.outputText = 'output' in fields && typeof fields.output === 'string' ? fields.output : undefined;
  exec.error = 'error' in fields && typeof fields.error === 'string' ? fields.error : undefined;
  exec.cause = 'cause' in fields && typeof fields.cause === 'string' ? fields.cause : undefined;
}
