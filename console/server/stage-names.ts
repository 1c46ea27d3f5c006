/**
 * Which stage a state belongs to, the way people talk about a pipeline ("it failed in migrate in
 * test") rather than by state name. The pipeline ASL grows (approval gate, data refresh), so states
 * are grouped by what their names say; an unknown Task state becomes a stage of its own, and
 * control states (Pass, Choice, Fail) with no stage stay out of the timeline.
 */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/approv/i, 'approval'],
  [/restore/i, 'restore-data'],
  [/snapshot|refresh|clone|backup|storage/i, 'refresh'],
  [/verify.?mask|mask.*(verif|check)/i, 'verify-masking'],
  [/mask/i, 'mask'],
  [/migrat/i, 'migrate'],
  [/check.?data|data.?check/i, 'data-checks'],
  [/rollback/i, 'rollback'],
  [/deploy|rollout/i, 'deploy'],
  [/smoke/i, 'smoke-test'],
  [/promot/i, 'promote'],
  [/acquire.?lock|wait.?for.?lock|check.?lock|lock.?decision|lock.?not.?granted/i, 'queue'],
  [/release.?lock/i, 'release-lock'],
  [/renew.?lock/i, 'lock'],
  [/register/i, 'register'],
  [/build/i, 'build'],
  [/plan/i, 'plan'],
  [/record/i, 'record'],
  [/normali[sz]e|validate.?event|malformed/i, 'event'],
];

export function stageOf(stateName: string, stateType: string): string | null {
  for (const [pattern, stage] of RULES) if (pattern.test(stateName)) return stage;
  return stateType === 'Task' ? kebab(stateName) : null;
}

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
}
