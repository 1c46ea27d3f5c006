/** The execution name from an ARN (`…:execution:<machine>:<name>`), or the input when it is a name. */
export function runName(executionArn: string): string {
  const parts = executionArn.split(':');
  return parts.length >= 8 ? parts.slice(7).join(':') : executionArn;
}

/**
 * The ARN of the execution `name` of the state machine `stateMachineArn` (AWS's shape, which the
 * local engine keeps): `…:stateMachine:<machine>` → `…:execution:<machine>:<name>`.
 */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
