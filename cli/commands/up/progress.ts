import { RunFold } from '../../../model/run-fold.js';
import { runName } from '../../../model/run-name.js';
import { RunState, runState } from '../../../model/run-state.js';
import { listedStages, type PlacedStage, placedStages, type Timeline } from '../../../model/run-timeline.js';
import { StageId } from '../../../model/stage-catalogue.js';
import type { HistoryEvent } from '../../../runtime/asl/history/history-event.js';
import { formatDuration } from '../../client/format.js';

/**
 * The terminal view of `tollgate up`: one line per finished stage per environment with its status
 * and duration, a spinner on the running stage when the terminal is a TTY, and at an approval gate
 * the exact command that approves the run and where the console shows it. It reads each run
 * through the model's fold, so the terminal names stages as `tollgate show` and the console do.
 */
export interface ProgressOptions {
  /** Writes to the terminal (not to the logs). */
  readonly write: (text: string) => void;
  readonly isTTY: boolean;
  /** The console page of a run. */
  readonly consoleUrl: (run: string) => string;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default 120 */
  readonly spinnerIntervalMs?: number;
}

export interface ProgressPrinter {
  /** Feeds one history event (the engine's onEvent listener). */
  onEvent(executionArn: string, event: HistoryEvent): void;
  stop(): void;
}

interface FollowedRun {
  readonly fold: RunFold;
  /** Stage key → the status last printed for it. */
  readonly printed: Map<string, string>;
  running?: PlacedStage;
  /** Said once: a queued run polls for its turn every few seconds, for hours if need be. */
  queuedSaid?: boolean;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MARK: Record<string, string> = { succeeded: '✓', failed: '✗', interrupted: '■', waiting: '⏸' };
const SETTLED = new Set(['succeeded', 'failed', 'interrupted']);

export function createProgressPrinter(options: ProgressOptions): ProgressPrinter {
  const now = options.now ?? Date.now;
  const runs = new Map<string, FollowedRun>();
  let frame = 0;
  let spinnerShown = false;
  let timer: NodeJS.Timeout | undefined;

  const clearSpinner = () => {
    if (spinnerShown) options.write('\r\x1b[2K');
    spinnerShown = false;
  };
  const line = (text: string) => {
    clearSpinner();
    options.write(`${text}\n`);
    drawSpinner();
  };
  const drawSpinner = () => {
    if (!options.isTTY) return;
    const active = [...runs.entries()].filter(([, r]) => r.running);
    if (active.length === 0) {
      stopTimer();
      return;
    }
    const [arn, run] = active[active.length - 1]!;
    const stage = run.running!;
    frame = (frame + 1) % FRAMES.length;
    options.write(
      `\r\x1b[2K${FRAMES[frame]} ${label(arn)} ${where(stage)} ${formatDuration(now() - stage.startedAt)}`,
    );
    spinnerShown = true;
    timer ??= setInterval(() => {
      clearSpinner();
      drawSpinner();
    }, options.spinnerIntervalMs ?? 120);
    timer.unref?.();
  };
  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };

  const report = (arn: string, run: FollowedRun, timeline: Timeline) => {
    const ended = timeline.execution.status !== 'RUNNING';
    const all = placedStages(timeline);
    const listed = new Set(listedStages(timeline).map(keyOf));
    run.running = undefined;
    for (const [i, stage] of all.entries()) {
      const key = keyOf(stage);
      if (!listed.has(key)) continue;
      // A stage is done once its run or a later stage has started: a poll loop passing through
      // one of its states is not the end of it.
      const settled = SETTLED.has(stage.status) && (ended || i < all.length - 1);
      // Only a gate waits for a person; a queued run's task-token wait is said once, below.
      const gate = stage.status === 'waiting' && stage.stage === StageId.Approval;
      const shown: string = settled || gate ? stage.status : 'running';
      if (shown === 'running') run.running = stage;
      const previous = run.printed.get(key);
      run.printed.set(key, shown);
      if (previous === shown || shown === 'running') continue;
      if (shown === 'waiting') printWaiting(arn, stage);
      else if (shown !== 'running') printFinished(arn, stage);
    }
    if (!run.queuedSaid && runState(timeline).state === RunState.Queued) {
      run.queuedSaid = true;
      line(
        `  ${label(arn)} ${'-'.padEnd(8)} ${'queue'.padEnd(10)} ⏸ queued: another run of this pipeline goes first`,
      );
    }
    if (ended) printRunEnd(arn, timeline);
  };
  const printWaiting = (arn: string, stage: PlacedStage) => {
    const name = runName(arn);
    const who = stage.approvers?.length ? ` by ${stage.approvers.join(', ')}` : '';
    line(`  ${label(arn)} ${where(stage)} ${MARK.waiting} waiting for approval${who}`);
    line(`    approve: npx tollgate approve ${name}`);
    line(`    reject:  npx tollgate reject ${name} --reason "…"`);
    line(`    console: ${options.consoleUrl(name)}`);
  };
  const printFinished = (arn: string, s: PlacedStage) => {
    const failure =
      s.status === 'failed' ? `  ${s.error?.error ?? ''} ${firstLine(s.error?.cause)}`.trimEnd() : '';
    line(
      `  ${label(arn)} ${where(s)} ${MARK[s.status] ?? ' '} ${s.status.padEnd(9)} ${formatDuration(s.durationMs ?? 0)}${failure}`,
    );
  };
  const printRunEnd = (arn: string, timeline: Timeline) => {
    const r = timeline.execution;
    const took = r.startedAt && r.stoppedAt ? ` in ${formatDuration(r.stoppedAt - r.startedAt)}` : '';
    const out = r.output as { status?: string; reason?: unknown } | null;
    const skipped = out?.status === 'SKIPPED' ? ` (skipped: ${JSON.stringify(out.reason)})` : '';
    const failed = r.error ? `: ${r.error} ${firstLine(r.cause)}`.trimEnd() : '';
    line(`■ run ${runName(arn)} ${r.status}${took}${skipped}${failed}`);
  };

  return {
    onEvent(executionArn, event) {
      let run = runs.get(executionArn);
      if (!run) {
        run = { fold: new RunFold(), printed: new Map() };
        runs.set(executionArn, run);
      }
      run.fold.apply(event);
      if (event.type === 'ExecutionStarted') {
        const c = run.fold.execution.commit;
        line(
          `▶ run ${runName(executionArn)}: ${c?.commit?.slice(0, 7) ?? '?'} on ${c?.branch ?? '?'} by ${c?.author ?? '?'}: ${firstLine(c?.message)}`,
        );
      }
      report(executionArn, run, run.fold.timeline({ now: now() }));
      if (run.fold.execution.status !== 'RUNNING') runs.delete(executionArn);
      clearSpinner();
      drawSpinner();
    },
    stop() {
      stopTimer();
      clearSpinner();
    },
  };
}

function keyOf(stage: PlacedStage): string {
  return `${stage.environment ?? '-'}/${stage.stage}`;
}

function label(executionArn: string): string {
  return `[${runName(executionArn).slice(0, 8)}]`;
}

function where(stage: PlacedStage): string {
  return `${(stage.environment ?? '-').padEnd(8)} ${stage.stage.padEnd(10)}`;
}

function firstLine(text: string | null | undefined): string {
  return (text ?? '').split('\n')[0]!.slice(0, 160);
}
