/** One problem found in a definition, with AWS's code and a JSON-pointer-like location. */
export interface DefinitionDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly location: string;
}

/** AWS's `InvalidDefinition` message text for a set of diagnostics. */
export function invalidDefinitionMessage(diagnostics: readonly DefinitionDiagnostic[]): string {
  const parts = diagnostics.map((d) => `${d.code}: ${d.message} at ${d.location}`);
  return `Invalid State Machine Definition: '${parts.join(', ')}'`;
}
