/** The `$$` context object, shaped as AWS returns it (key order matters for history text). */
export interface ContextObject {
  Execution: {
    Id: string;
    Input: unknown;
    StartTime: string;
    Name: string;
    RoleArn: string;
    RedriveCount: number;
    RedriveTime?: string;
  };
  StateMachine: { Id: string; Name: string };
  State?: { Name: string; EnteredTime: string; RetryCount?: number };
  Task?: { Token: string };
  Map?: { Item: { Index: number; Value: unknown; Source?: string } };
}

export function cloneContext(ctx: ContextObject): ContextObject {
  return {
    ...ctx,
    Execution: { ...ctx.Execution },
    StateMachine: { ...ctx.StateMachine },
    ...(ctx.State ? { State: { ...ctx.State } } : {}),
    ...(ctx.Map ? { Map: { Item: { ...ctx.Map.Item } } } : {}),
  };
}
