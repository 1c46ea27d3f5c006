import type { StageView, Timeline } from './run-timeline.js';
import { isBookkeeping, StageId, stageLabel } from './stage-catalogue.js';

/**
 * The run at a glance: one row for the pipeline-wide stages and one per configured environment,
 * each the catalogue's stages in the order a run goes through them, coloured by the fold. The full
 * ASL graph (a hundred states) is what it stands for; the console shows this one first.
 */
type StageNodeStatus = StageView['status'] | 'pending' | 'not-run';

interface StageNode {
  readonly stage: string;
  readonly label: string;
  readonly status: StageNodeStatus;
}

export interface StageGraphRow {
  /** null for the stages before the environments (queue, build, register). */
  readonly environment: string | null;
  readonly nodes: readonly StageNode[];
}

// The catalogue lists stages in the order their words are matched (publish before refresh); a
// run goes through them in this order.
const PIPELINE_STAGES: readonly string[] = [StageId.Queue, StageId.Build, StageId.Register];
const ENVIRONMENT_STAGES: readonly string[] = [
  StageId.Approval,
  StageId.Refresh,
  StageId.Mask,
  StageId.VerifyMasking,
  StageId.Publish,
  StageId.Migrate,
  StageId.DataChecks,
  StageId.Deploy,
  StageId.Canary,
  StageId.SmokeTest,
  StageId.Tests,
  StageId.Promote,
  StageId.Verify,
];
// Only on the failure path: drawn when they ran, not as a step every run has ahead of it.
const RECOVERY_STAGES: readonly string[] = [StageId.Rollback, StageId.RestoreData];

export function stageGraph(timeline: Timeline, environments: readonly string[]): StageGraphRow[] {
  const running = timeline.execution.status === 'RUNNING';
  const missing: StageNodeStatus = running ? 'pending' : 'not-run';
  const row = (environment: string | null, order: readonly string[], stages: readonly StageView[]) => {
    const byId = new Map(stages.map((s) => [s.stage, s]));
    const known = new Set([...order, ...RECOVERY_STAGES]);
    const nodes: StageNode[] = order.map((id) => node(id, byId.get(id)?.status ?? missing));
    for (const id of RECOVERY_STAGES) {
      const ran = byId.get(id);
      if (ran) nodes.push(node(id, ran.status));
    }
    // A stage the catalogue does not place (a task of another definition) still shows, last.
    for (const s of stages)
      if (!known.has(s.stage) && !isBookkeeping(s.stage)) nodes.push(node(s.stage, s.status));
    return { environment, nodes };
  };
  const lanes = new Map(timeline.environments.map((e) => [e.name, e]));
  const names = [
    ...environments,
    ...timeline.environments.map((e) => e.name).filter((n) => !environments.includes(n)),
  ];
  return [
    row(null, PIPELINE_STAGES, timeline.before),
    ...names.map((name) => row(name, ENVIRONMENT_STAGES, lanes.get(name)?.stages ?? [])),
  ];
}

function node(stage: string, status: StageNodeStatus): StageNode {
  return { stage, label: stageLabel(stage), status };
}
