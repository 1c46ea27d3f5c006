/** The execution name from an ARN (`…:execution:<machine>:<name>`), or the input when it is a name. */
export function runName(executionArn: string): string {
  const parts = executionArn.split(':');
  return parts.length >= 8 ? parts.slice(7).join(':') : executionArn;
}
