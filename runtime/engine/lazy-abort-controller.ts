/**
 * An AbortController created only when something asks for its signal. Node's AbortSignal is costly
 * to create, and most executions (Pass, Choice, Succeed) end without any state ever listening for
 * a stop; those never build one.
 */
export class LazyAbortController {
  private controller: AbortController | undefined;
  private stopped = false;
  private reason: unknown;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.stopped) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason?: unknown): void {
    if (this.controller) {
      this.controller.abort(reason);
      return;
    }
    if (this.stopped) return;
    this.stopped = true;
    this.reason = reason;
  }
}
