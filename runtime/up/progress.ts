import type { HistoryEvent } from '../asl/history/history-event.js';
import { formatDuration, runName } from './format.js';
import { RunTimeline, type StageRecord, stageDuration, type TimelineChange } from './run-timeline.js';

/**
 * The terminal view of `tollgate up`: one line per finished stage per environment with its status
 * and duration, a spinner on the running stage when the terminal is a TTY, and at an approval gate
 * the exact command that approves the run and where the console shows it.
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

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MARK: Record<string, string> = { succeeded: '✓', failed: '✗', running: '…', waiting: '⏸' };

export function createProgressPrinter(options: ProgressOptions): ProgressPrinter {
  const now = options.now ?? Date.now;
  const runs = new Map<string, RunTimeline>();
  const running = new Map<string, StageRecord>();
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
    const active = [...running.entries()].filter(([, s]) => s.status === 'running');
    if (active.length === 0) {
      stopTimer();
      return;
    }
    const [arn, stage] = active[active.length - 1]!;
    frame = (frame + 1) % FRAMES.length;
    options.write(
      `\r\x1b[2K${FRAMES[frame]} ${label(arn)} ${where(stage)} ${formatDuration(stageDuration(stage, now()))}`,
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

  const report = (arn: string, change: TimelineChange) => {
    switch (change.kind) {
      case 'stage-started':
        running.set(arn, change.stage);
        clearSpinner();
        drawSpinner();
        return;
      case 'stage-waiting': {
        const name = runName(arn);
        line(`  ${label(arn)} ${where(change.stage)} ${MARK.waiting} waiting for approval`);
        line(`    approve: npx tollgate approve ${name}`);
        line(`    reject:  npx tollgate reject ${name} --reason "…"`);
        line(`    console: ${options.consoleUrl(name)}`);
        return;
      }
      case 'stage-finished': {
        if (running.get(arn) === change.stage) running.delete(arn);
        const s = change.stage;
        const failure = s.status === 'failed' ? `  ${s.error ?? ''} ${firstLine(s.cause)}`.trimEnd() : '';
        line(
          `  ${label(arn)} ${where(s)} ${MARK[s.status] ?? ' '} ${s.status.padEnd(9)} ${formatDuration(stageDuration(s, now()))}${failure}`,
        );
        return;
      }
      case 'run-finished': {
        running.delete(arn);
        const r = change.run;
        const took = r.startedAt && r.stoppedAt ? ` in ${formatDuration(r.stoppedAt - r.startedAt)}` : '';
        const out = r.output as { status?: string; reason?: unknown } | undefined;
        const skipped = out?.status === 'SKIPPED' ? ` (skipped: ${JSON.stringify(out.reason)})` : '';
        const failed = r.error ? `: ${r.error} ${firstLine(r.cause)}`.trimEnd() : '';
        line(`■ run ${runName(arn)} ${r.status}${took}${skipped}${failed}`);
        return;
      }
    }
  };

  return {
    onEvent(executionArn, event) {
      let timeline = runs.get(executionArn);
      if (!timeline) {
        timeline = new RunTimeline(executionArn);
        runs.set(executionArn, timeline);
      }
      const changes = timeline.apply(event);
      if (event.type === 'ExecutionStarted') {
        const c = timeline.run.commit;
        line(
          `▶ run ${runName(executionArn)}: ${c?.commit?.slice(0, 7) ?? '?'} on ${c?.branch ?? '?'} by ${c?.author?.name ?? '?'}: ${firstLine(c?.message)}`,
        );
      }
      for (const change of changes) report(executionArn, change);
      if (timeline.run.status !== 'RUNNING') runs.delete(executionArn);
    },
    stop() {
      stopTimer();
      clearSpinner();
    },
  };
}

function label(executionArn: string): string {
  return `[${runName(executionArn).slice(0, 8)}]`;
}

function where(stage: StageRecord): string {
  return `${(stage.environment ?? '-').padEnd(8)} ${stage.stage.padEnd(10)}`;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!.slice(0, 160);
}
