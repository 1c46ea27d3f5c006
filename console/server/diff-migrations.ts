import {
  loadMigrationsFromTarball,
  type Migration,
} from '../../functions/migrate-database/migration-files.js';
import type { ArtifactStore } from '../../functions/shared/ports/artifact-store.js';
import type { ReleaseMetadata } from '../../functions/shared/release.js';

interface AddedMigration {
  readonly name: string;
  readonly sql: string;
}

export type MigrationDiff =
  | {
      readonly listed: true;
      /** In b, not in a: what going from a to b runs, in the order it runs them. */
      readonly added: readonly AddedMigration[];
      /** In a, not in b: what b lacks (a database migrated by a keeps them; nothing undoes them). */
      readonly removed: readonly string[];
      /** In both under the same name with different bytes: a migration edited after it shipped. */
      readonly changed: readonly string[];
    }
  | { readonly listed: false; readonly detail: string };

/**
 * The migrations each release carries, read from its artifact as migrate-database reads them
 * (`database.migrations` inside the release tarball), compared by name and checksum.
 */
export async function migrationDiff(
  a: ReleaseMetadata,
  b: ReleaseMetadata,
  dir: string | undefined,
  artifacts: Pick<ArtifactStore, 'open'>,
): Promise<MigrationDiff> {
  if (!dir) return { listed: false, detail: 'this pipeline has no database block, so no migrations' };
  let left: Migration[];
  let right: Migration[];
  try {
    [left, right] = await Promise.all([
      loadMigrationsFromTarball(await artifacts.open(a.artifactKey), dir),
      loadMigrationsFromTarball(await artifacts.open(b.artifactKey), dir),
    ]);
  } catch (error) {
    return { listed: false, detail: `cannot read the migrations: ${(error as Error).message}` };
  }
  const inA = new Map(left.map((m) => [m.name, m]));
  const inB = new Map(right.map((m) => [m.name, m]));
  return {
    listed: true,
    added: right.filter((m) => !inA.has(m.name)).map((m) => ({ name: m.name, sql: m.sql })),
    removed: left.filter((m) => !inB.has(m.name)).map((m) => m.name),
    changed: right
      .filter((m) => inA.has(m.name) && inA.get(m.name)!.checksum !== m.checksum)
      .map((m) => m.name),
  };
}
