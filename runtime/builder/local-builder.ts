import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants, createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../functions/shared/clock.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import { BuildFailedError, InvalidInputError } from '../../functions/shared/errors.js';

/**
 * Stands in for CodeBuild's startBuild.sync: takes the same Arguments, runs `build.command` in a
 * clean `git worktree` of exactly that commit (so uncommitted files can never leak into a release),
 * and leaves the tarball at the key the plan chose. The result has CodeBuild's shape so the ASL's
 * Output expressions work unchanged.
 */
export interface LocalBuilderOptions {
  readonly config: TollgateConfig;
  /** Repository name → working copy on disk. */
  readonly repositories: Readonly<Record<string, string>>;
  /** Root of the local ArtifactStore (`<root>/<key>` per object). */
  readonly artifactsRoot: string;
  readonly logsDir: string;
  readonly clock: Clock;
}

const buildArguments = z.object({
  ProjectName: z.string().min(1),
  SourceVersion: z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-hex commit id'),
  EnvironmentVariablesOverride: z
    .array(z.object({ Name: z.string(), Value: z.string(), Type: z.string().optional() }))
    .default([]),
});

export function createLocalBuilder(options: LocalBuilderOptions) {
  return async function localBuild(event: unknown) {
    const parsed = buildArguments.safeParse(event);
    if (!parsed.success) throw new InvalidInputError(`local build: ${parsed.error.issues[0]?.message}`);
    const args = parsed.data;
    const env = Object.fromEntries(args.EnvironmentVariablesOverride.map((v) => [v.Name, v.Value]));
    const artifactKey = env.TOLLGATE_ARTIFACT_KEY;
    if (!artifactKey)
      throw new InvalidInputError('local build: TOLLGATE_ARTIFACT_KEY is missing from the overrides');
    const repoDir = options.repositories[options.config.source.repository];
    if (!repoDir) {
      throw new BuildFailedError(
        `no local working copy registered for repository "${options.config.source.repository}"`,
      );
    }
    const id = `${args.ProjectName}:${randomUUID()}`;
    const startTime = options.clock.now();
    const logFile = join(options.logsDir, 'builds', `${args.SourceVersion}-${id.split(':')[1]}.log`);
    await mkdir(dirname(logFile), { recursive: true });
    const worktree = await mkdtemp(join(tmpdir(), 'tollgate-build-'));
    try {
      await run(
        'git',
        ['-C', repoDir, 'worktree', 'add', '--detach', '--force', worktree, args.SourceVersion],
        logFile,
      );
      await run('sh', ['-c', options.config.build.command], logFile, worktree, {
        ...env,
        TOLLGATE_COMMIT: args.SourceVersion,
      });
      const produced = resolve(worktree, options.config.build.artifact);
      if (!produced.startsWith(worktree + sep) || !existsSync(produced)) {
        throw new BuildFailedError(
          `build.command finished but did not produce build.artifact "${options.config.build.artifact}" (log: ${logFile})`,
        );
      }
      await publish(produced, join(options.artifactsRoot, artifactKey));
    } finally {
      await run('git', ['-C', repoDir, 'worktree', 'remove', '--force', worktree], logFile).catch(
        () => undefined,
      );
      await rm(worktree, { recursive: true, force: true });
    }
    return {
      Build: {
        Id: id,
        BuildStatus: 'SUCCEEDED',
        ProjectName: args.ProjectName,
        SourceVersion: args.SourceVersion,
        StartTime: startTime.toISOString(),
        EndTime: options.clock.now().toISOString(),
        Artifacts: { Location: artifactKey },
        Logs: { DeepLink: logFile },
      },
    };
  };
}

/** Copy (reflink where possible) to a temp name, then rename: a crash never leaves half a tarball. */
async function publish(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const temp = `${to}.${randomUUID()}.tmp`;
  await copyFile(from, temp, constants.COPYFILE_FICLONE);
  await rename(temp, to);
}

function run(command: string, args: string[], logFile: string, cwd?: string, env?: Record<string, string>) {
  return new Promise<void>((resolvePromise, reject) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    log.write(`$ ${command} ${args.join(' ')}\n`);
    const tail: string[] = [];
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      log.write(chunk);
      tail.push(...chunk.toString('utf8').split('\n'));
      tail.splice(0, Math.max(0, tail.length - 20));
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => {
      log.end();
      reject(new BuildFailedError(`cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      log.end();
      if (code === 0) resolvePromise();
      else {
        const last = tail.filter(Boolean).slice(-5).join(' | ');
        reject(
          new BuildFailedError(
            `${command} ${args[0] === '-c' ? args[1] : args.join(' ')} exited with ${code}: ${last}`,
          ),
        );
      }
    });
  });
}
