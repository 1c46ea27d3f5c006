/** ARN building/parsing for the local engine's resources (same shapes as AWS). */
export interface ArnContext {
  readonly region: string;
  readonly accountId: string;
}

export function stateMachineArn(ctx: ArnContext, name: string): string {
  return `arn:aws:states:${ctx.region}:${ctx.accountId}:stateMachine:${name}`;
}

export function executionArn(ctx: ArnContext, stateMachineName: string, executionName: string): string {
  return `arn:aws:states:${ctx.region}:${ctx.accountId}:execution:${stateMachineName}:${executionName}`;
}

export function mapRunArn(ctx: ArnContext, stateMachineName: string, label: string, runId: string): string {
  return `arn:aws:states:${ctx.region}:${ctx.accountId}:mapRun:${stateMachineName}/${label}:${runId}`;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;
const EXECUTION_ARN =
  /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):execution:([A-Za-z0-9_-]{1,80}):([A-Za-z0-9_-]{1,80})$/;

export function parseStateMachineArn(arn: string): { name: string } | undefined {
  const m = STATE_MACHINE_ARN.exec(arn);
  return m ? { name: m[3] } : undefined;
}

export function parseExecutionArn(arn: string): { stateMachineName: string; name: string } | undefined {
  const m = EXECUTION_ARN.exec(arn);
  return m ? { stateMachineName: m[3], name: m[4] } : undefined;
}

/** AWS's name rule for state machines and executions. */
export function isValidResourceName(name: string): boolean {
  return /^[A-Za-z0-9_-]{1,80}$/.test(name);
}
