import type { EngineClock, TimerHandle } from '../../engine/clock.js';
import { StateStoppedError } from '../errors/states-error.js';
import type { ExecutionServices } from '../frame/execution-services.js';
import { Frame } from '../frame/frame.js';

/**
 * The branches or iterations one Map or Parallel attempt runs, under a signal of their own: it
 * follows the execution's (StopExecution, engine shutdown) and can also be stopped from inside,
 * when a sibling branch fails or the state's TimeoutSeconds passes. Everything below reads
 * `services.signal`, so Wait states, task tokens and nested Map/Parallel states all stop with it.
 */
export class StoppableWork {
  private readonly controller = new AbortController();
  private readonly detach: () => void;
  private timer: TimerHandle | undefined;
  /** Set once TimeoutSeconds passed: the attempt then fails with States.Timeout. */
  timedOut = false;

  constructor(private readonly parent: Frame) {
    const outer = parent.services.signal;
    const follow = () => this.controller.abort(outer.reason);
    if (outer.aborted) follow();
    else outer.addEventListener('abort', follow, { once: true });
    this.detach = () => outer.removeEventListener('abort', follow);
  }

  /** The parent frame with this work's signal, to fork branches and iterations from. */
  frame(base: Frame = this.parent): Frame {
    const { signal } = this.controller;
    const services: ExecutionServices = { ...base.services, signal, workSignal: signal };
    return new Frame(services, base.cursor, base.variables, base.context, base.defaultQueryLanguage);
  }

  /** Stops what is still running; the first reason wins. */
  stop(reason: string): void {
    if (!this.controller.signal.aborted) this.controller.abort(new StateStoppedError(reason));
  }

  /** Arms TimeoutSeconds: at `startedAt + seconds` everything still running is stopped. */
  armTimeout(clock: EngineClock, startedAt: number, seconds: number | undefined): void {
    if (seconds === undefined) return;
    this.timer = clock.setTimer(startedAt + seconds * 1000, () => {
      if (this.controller.signal.aborted) return;
      this.timedOut = true;
      this.stop('States.Timeout');
    });
  }

  dispose(): void {
    this.timer?.cancel();
    this.detach();
  }
}

/** True for what a stopped branch or iteration throws, as opposed to the execution's own abort. */
export function isStateStop(thrown: unknown): thrown is StateStoppedError {
  return thrown instanceof StateStoppedError;
}

/** A Map or Parallel stopped by its enclosing branch or Map unwinds further, recording nothing more. */
export function unwindIfStopped(signal: AbortSignal): void {
  if (signal.aborted && isStateStop(signal.reason)) throw signal.reason;
}
