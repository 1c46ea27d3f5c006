import { releaseMetadataKey } from '../../functions/register-release/release-keys.js';
import { currentRelease } from '../../functions/shared/ledger/ledger-queries.js';
import type { ArtifactStore } from '../../functions/shared/ports/artifact-store.js';
import type { StoredLedgerEntry } from '../../functions/shared/ports/ledger.js';
import type { ReleaseMetadata } from '../../functions/shared/release.js';
import { BadRequestError, NotFoundError } from './errors.js';

/**
 * One side of a diff: a release by version, or an environment, which stands for the release it
 * runs now. `configRun` is the run whose recorded config applies: for an environment the run that
 * put its release there (a redeploy runs with the config of its day), for a release the run that
 * registered it.
 */
export interface DiffSide {
  readonly asked: string;
  readonly environment: string | null;
  readonly release: ReleaseMetadata;
  readonly configRun: string | null;
}

interface SideSources {
  readonly pipeline: string;
  readonly environments: readonly string[];
  readonly entries: readonly StoredLedgerEntry[];
  readonly artifacts: Pick<ArtifactStore, 'getText'>;
}

const VERSION = /^r\d{1,12}-[0-9a-f]{7,40}$/;

/** Both sides, refused in one line when either is unknown or both name the same thing. */
export async function resolveSides(
  a: string,
  b: string,
  sources: SideSources,
): Promise<[DiffSide, DiffSide]> {
  for (const text of [a, b]) checkShape(text, sources.environments);
  if (a === b) throw new BadRequestError(`compare two different releases or environments, got "${a}" twice`);
  return [await resolveSide(a, sources), await resolveSide(b, sources)];
}

function checkShape(text: string, environments: readonly string[]): void {
  if (typeof text !== 'string' || text === '')
    throw new BadRequestError('name two releases or environments to compare, e.g. staging prod');
  if (environments.includes(text) || VERSION.test(text)) return;
  throw new BadRequestError(
    `"${text.slice(0, 80)}" is neither an environment (${environments.join(', ')}) nor a release version like r42-1a2b3c4`,
  );
}

async function resolveSide(text: string, sources: SideSources): Promise<DiffSide> {
  if (sources.environments.includes(text)) {
    const current = currentRelease(sources.entries, text);
    if (!current) throw new NotFoundError(`environment ${text} runs no release yet`);
    const release = await readRelease(sources, current.version);
    if (!release)
      throw new NotFoundError(`${text} runs ${current.version}, whose metadata is not in the artifact store`);
    return { asked: text, environment: text, release, configRun: current.executionArn };
  }
  const release = await readRelease(sources, text);
  if (!release)
    throw new NotFoundError(`unknown release "${text}"; list the releases with \`npx tollgate releases\``);
  return { asked: text, environment: null, release, configRun: release.executionArn };
}

async function readRelease(sources: SideSources, version: string): Promise<ReleaseMetadata | undefined> {
  const text = await sources.artifacts.getText(releaseMetadataKey(sources.pipeline, version));
  return text === undefined ? undefined : (JSON.parse(text) as ReleaseMetadata);
}
