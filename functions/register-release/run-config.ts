import { createHash } from 'node:crypto';
import type { TollgateConfig } from '../shared/config/schema.js';
import type { ArtifactStore } from '../shared/ports/artifact-store.js';

/**
 * The effective config a run registered its release with (defaults applied, as the tasks read
 * it), stored once per distinct content beside the releases: a diff of two releases or two
 * environments shows what changed in the config they ran with, and a config changed after the
 * fact cannot rewrite what an earlier run used. Runs recorded before this existed have none.
 */
const CONFIG_DIGEST = /^sha256:([0-9a-f]{64})$/;

export const runConfigKey = (pipeline: string, digest: string): string => {
  const hex = CONFIG_DIGEST.exec(digest)?.[1];
  if (!hex) throw new TypeError(`config digest must be sha256:<64 hex>, got ${JSON.stringify(digest)}`);
  return `releases/${pipeline}/configs/${hex}.json`;
};

/** Stores the config (same bytes again is a no-op) and returns its digest. */
export async function storeRunConfig(
  config: TollgateConfig,
  artifacts: Pick<ArtifactStore, 'putImmutable'>,
): Promise<string> {
  const body = `${JSON.stringify(config, null, 2)}\n`;
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  await artifacts.putImmutable(runConfigKey(config.name, digest), body, 'application/json');
  return digest;
}

/** The stored config, or undefined when the store lacks it. */
export async function readRunConfig(
  artifacts: Pick<ArtifactStore, 'getText'>,
  pipeline: string,
  digest: string,
): Promise<Record<string, unknown> | undefined> {
  const text = await artifacts.getText(runConfigKey(pipeline, digest));
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
}
