import type { ApprovalStore } from '../ports/approval-store.js';
import type { TaskCallback } from '../ports/task-callback.js';
import type { TollgatePorts } from '../ports/tollgate-ports.js';

/**
 * The approval functions need two ports beyond the shared bag. They extend it here rather than in
 * `tollgate-ports.ts`, so no other task gets (or needs permission for) the approval store or the
 * task callback.
 */
interface ApprovalPorts {
  readonly approvals: ApprovalStore;
  readonly callback: TaskCallback;
}

export type ApprovalTaskPorts = TollgatePorts & ApprovalPorts;

export type ApprovalPortsFactory = () => Promise<ApprovalTaskPorts>;

/** Builds the bag once and hands the same promise to defineTask and to the logic. */
export function memoPorts(factory: ApprovalPortsFactory): ApprovalPortsFactory {
  let cached: Promise<ApprovalTaskPorts> | undefined;
  return () => {
    cached ??= factory().catch((error) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
