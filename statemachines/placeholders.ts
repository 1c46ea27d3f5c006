/**
 * `${Name}` placeholders in the pipeline definition. CDK binds them to the stack's ARNs at synth;
 * the local runtime binds them to local ARNs. One pattern for both, so a name one side accepts the
 * other cannot silently leave unbound.
 */
const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** Distinct placeholder names in the definition, sorted. */
export function placeholdersIn(definition: string): string[] {
  return [...new Set([...definition.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

/** Substitutes every placeholder; throws naming any that has no binding. */
export function substitute(definition: string, bindings: Readonly<Record<string, string>>): string {
  const missing = placeholdersIn(definition).filter((name) => bindings[name] === undefined);
  if (missing.length)
    throw new Error(`unbound ASL placeholder(s): ${missing.map((m) => `\${${m}}`).join(', ')}`);
  return definition.replace(PLACEHOLDER, (_, name: string) => bindings[name]!);
}
