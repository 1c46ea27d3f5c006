const NO_VARIABLES: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Workflow variables (`Assign`). A Map iteration or Parallel branch reads the variables of the
 * scope it was started from but assigns into its own scope, so nothing leaks back out (AWS's
 * scoping rule for nested states).
 */
export class VariableScope {
  private readonly own = new Map<string, unknown>();

  constructor(private readonly parent?: VariableScope) {}

  child(): VariableScope {
    return new VariableScope(this);
  }

  has(name: string): boolean {
    return this.own.has(name) || (this.parent?.has(name) ?? false);
  }

  get(name: string): unknown {
    if (this.own.has(name)) return this.own.get(name);
    return this.parent?.get(name);
  }

  /** Every visible variable, inner scopes shadowing outer ones. */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = this.parent ? this.parent.snapshot() : {};
    for (const [k, v] of this.own) out[k] = v;
    return out;
  }

  /** Only the variables assigned in this scope (persisted for recovery). */
  ownEntries(): Record<string, unknown> {
    // Asked for at every transition (the engine's checkpoint); most scopes assign nothing.
    return this.own.size === 0 ? NO_VARIABLES : Object.fromEntries(this.own);
  }

  assignAll(values: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(values)) this.own.set(k, v);
  }
}
