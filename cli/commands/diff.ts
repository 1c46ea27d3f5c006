import { resolve } from 'node:path';
import type { ReleaseDiff } from '../../console/server/diff-view.js';
import { releaseDiff } from '../../console/server/diff-view.js';
import { BadRequestError, ConsoleError } from '../../console/server/errors.js';
import { GitSourceRepository } from '../../functions/shared/adapters/local/git-source-repository.js';
import { loadConfig } from '../../functions/shared/config/index.js';
import { artifactsOf } from '../client/artifact-store.js';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { emit } from '../client/output.js';

export interface DiffOptions extends CommonOptions {
  readonly repo?: string;
}

/** How many lines of each added migration the terminal prints; --json has them whole. */
const SQL_LINES = 12;

/**
 * `tollgate diff A B`: what changes from A to B, each a release version or an environment (the
 * release it runs): the console's diff page, from the same `releaseDiff`. Commits come from the
 * repository's working copy (--repo), as `tollgate up` lists them.
 */
export async function diffCommand(a: string, b: string, options: DiffOptions): Promise<void> {
  const repo = resolve(options.repo ?? process.cwd());
  const config = await loadConfig(repo);
  const target = createTarget(options);
  const ledger = await target.ledger();
  let diff: ReleaseDiff;
  try {
    diff = await releaseDiff(a, b, {
      config,
      entries: () => ledger.query({ pipeline: config.name }),
      artifacts: await artifactsOf(target),
      source: new GitSourceRepository({ [config.source.repository]: repo }),
    });
  } catch (error) {
    if (error instanceof ConsoleError)
      throw new CliError(error.message, error instanceof BadRequestError ? ExitCode.Usage : ExitCode.Failure);
    throw error;
  }
  emit(options.json, diff, () => diffLines(diff));
}

function diffLines(d: ReleaseDiff): string[] {
  const side = (s: ReleaseDiff['a']) => (s.environment ? `${s.environment} (${s.version})` : s.version);
  const lines = [`${side(d.a)} → ${side(d.b)}${d.sameRelease ? ': the same release' : ''}`];
  lines.push(
    `artifact   ${d.a.digest} → ${d.b.digest === d.a.digest ? 'the same' : d.b.digest}`,
    `image      ${d.a.imageDigest ?? '—'} → ${d.b.imageDigest === d.a.imageDigest ? 'the same' : (d.b.imageDigest ?? '—')}`,
  );
  const c = d.commits;
  if (!c.listed) lines.push(`commits    not listed: ${c.detail}`);
  else {
    lines.push(
      `commits    ${c.added.length} added, ${c.removed.length} removed${c.truncated ? ' (more not listed)' : ''}`,
    );
    for (const [mark, list] of [
      ['+', c.added],
      ['-', c.removed],
    ] as const)
      for (const m of list) lines.push(`  ${mark} ${m.commit.slice(0, 7)} ${m.subject} (${m.author})`);
  }
  const m = d.migrations;
  if (!m.listed) lines.push(`migrations not listed: ${m.detail}`);
  else {
    lines.push(`migrations ${m.added.length} added, ${m.removed.length} removed, ${m.changed.length} edited`);
    for (const added of m.added) {
      const sql = added.sql.trimEnd().split('\n');
      lines.push(`  + ${added.name}`, ...sql.slice(0, SQL_LINES).map((l) => `      ${l}`));
      if (sql.length > SQL_LINES) lines.push(`      … ${sql.length - SQL_LINES} more lines (--json)`);
    }
    for (const name of m.removed) lines.push(`  - ${name} (the database keeps it; nothing undoes it)`);
    for (const name of m.changed) lines.push(`  ! ${name} edited after it shipped`);
  }
  const cfg = d.config;
  if (!cfg.recorded) lines.push(`config     not compared: ${cfg.detail}`);
  else {
    lines.push(
      `config     ${cfg.differences.length ? `${cfg.differences.length} setting(s) differ` : 'the same'}`,
    );
    const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
    for (const diff of cfg.differences) lines.push(`  ${diff.path}: ${show(diff.a)} → ${show(diff.b)}`);
  }
  return lines;
}
