import { currentRelease } from '../../functions/shared/ledger/ledger-queries.js';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { emit, table } from '../client/output.js';

/** `tollgate envs`: what runs in each environment, since when, who approved it, from which run. */
export async function envsCommand(options: CommonOptions): Promise<void> {
  const target = createTarget(options);
  const entries = await (await target.ledger()).query();
  // Environments in the order the ledger first saw them, which is the pipeline's order.
  const seen = new Map<string, Set<string>>();
  for (const e of entries) {
    if (!e.environment) continue;
    const envs = seen.get(e.pipeline) ?? new Set<string>();
    envs.add(e.environment);
    seen.set(e.pipeline, envs);
  }
  const environments = [...seen].flatMap(([pipeline, envs]) => {
    const own = entries.filter((e) => e.pipeline === pipeline);
    return [...envs].map((name) => {
      const current = currentRelease(own, name);
      return {
        pipeline,
        environment: name,
        version: current?.version ?? null,
        since: current?.since ?? null,
        approvedBy: current?.approvedBy ?? [],
        executionArn: current?.executionArn ?? null,
        via: current?.via ?? null,
        restoredBy: current?.restoredBy ?? null,
      };
    });
  });
  emit(options.json, { environments }, () =>
    environments.length === 0
      ? ['nothing has been promoted yet']
      : table([
          ['PIPELINE', 'ENV', 'RELEASE', 'SINCE', 'APPROVED BY', 'RUN'],
          ...environments.map((e) => [
            e.pipeline,
            e.environment,
            e.version ?? '(none)',
            e.since ?? '-',
            e.approvedBy.length ? e.approvedBy.join(', ') : '-',
            e.executionArn?.split(':').slice(7).join(':') || '-',
          ]),
        ]),
  );
}
