import { environmentsOf, releaseRows, whereFeature } from '../../functions/shared/ledger/release-queries.js';
import type { StoredLedgerEntry } from '../../functions/shared/ports/ledger.js';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { emit, table } from '../client/output.js';

const pipelinesOf = (entries: readonly StoredLedgerEntry[]) => [...new Set(entries.map((e) => e.pipeline))];

/** `tollgate releases`: every release with its commit, digest, build time and where it runs now. */
export async function releasesCommand(options: CommonOptions): Promise<void> {
  const entries = await (await createTarget(options).ledger()).query();
  const releases = pipelinesOf(entries).flatMap((pipeline) =>
    releaseRows(entries, pipeline).map((row) => ({ pipeline, ...row })),
  );
  emit(options.json, { releases }, () =>
    releases.length === 0
      ? ['no releases yet']
      : table([
          ['PIPELINE', 'RELEASE', 'COMMIT', 'DIGEST', 'BUILT', 'RUNS IN'],
          ...releases.map((r) => [
            r.pipeline,
            r.version,
            r.commit.slice(0, 7),
            r.digest.slice(0, 19),
            r.builtAt,
            r.runningIn.join(', ') || '-',
          ]),
        ]),
  );
}

/** `tollgate where ID`: the environments running a release that carries the feature, since when, through which run. */
export async function whereCommand(id: string, options: CommonOptions): Promise<void> {
  if (typeof id !== 'string' || !/^\S{1,200}$/.test(id))
    throw new CliError('ID must be a feature or issue ID without spaces, e.g. ORD-12 or #12', ExitCode.Usage);
  const entries = await (await createTarget(options).ledger()).query();
  const locations = pipelinesOf(entries).flatMap((pipeline) =>
    whereFeature(entries, pipeline, id).map((found) => ({ pipeline, ...found })),
  );
  const known = pipelinesOf(entries).flatMap((p) => environmentsOf(entries, p));
  emit(options.json, { id, environments: locations }, () =>
    locations.length === 0
      ? [
          `${id} runs in no environment${known.length ? ` (none of ${[...new Set(known)].join(', ')} runs a release whose commits name it)` : ''}`,
        ]
      : table([
          ['PIPELINE', 'ENV', 'RELEASE', 'SINCE', 'RUN'],
          ...locations.map((l) => [
            l.pipeline,
            l.environment,
            l.version,
            l.since,
            l.executionArn?.split(':').slice(7).join(':') || '-',
          ]),
        ]),
  );
}
