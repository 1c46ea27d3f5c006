/**
 * `docker build` for the rehearsal's Docker daemon (docker-daemon.ts): reads a Dockerfile, puts
 * the files its COPY and ADD instructions take from the context into one layer, and writes the image
 * (that layer, a config, a manifest) into the daemon's OCI image layout with the same writer the
 * local runtime uses. The result is reproducible: entries sorted, owner 0, mtime 0, creation time 0,
 * so the same context gives the same digest.
 *
 * Models: FROM (one stage; the base is recorded as the `org.opencontainers.image.base.name` label),
 * WORKDIR, COPY and ADD from the context (ADD of a local .tar/.tgz/.tar.gz extracts it, as Docker
 * does), ENV, LABEL, CMD and ENTRYPOINT (JSON or shell form); a source outside the context is
 * refused. Does not model: pulling the base image (its layers are not in the image), RUN (there is
 * no container runtime), build stages, flags on COPY/ADD, .dockerignore, ARG, or any other
 * instruction: each is refused with a one-line error, as a failed `docker build` would stop.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type WrittenImage, writeImage } from '../../../functions/shared/adapters/local/oci-image-writer.js';

export class DockerBuildError extends Error {}

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile lines: comments dropped, `\` continuations joined, keyword upper-cased. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(full);
    if (match) out.push({ keyword: match[1].toUpperCase(), args: match[2] });
  }
  return out;
}

function execForm(args: string): string[] {
  if (args.startsWith('[')) {
    const parsed = JSON.parse(args) as unknown;
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string'))
      throw new DockerBuildError(`not a JSON array of strings: ${args}`);
    return parsed;
  }
  return ['/bin/sh', '-c', args];
}

function keyValues(args: string): Array<[string, string]> {
  if (!args.includes('=')) {
    const [key, ...rest] = args.split(/\s+/);
    return [[key, rest.join(' ')]];
  }
  return [...args.matchAll(/([^\s=]+)=("([^"]*)"|\S*)/g)].map((m) => [m[1], m[3] ?? m[2]]);
}

const ARCHIVE = /\.(tar|tgz|tar\.gz)$/;

/** Builds the image of `dockerfile` in `context`; returns the manifest written to `layoutDir`. */
export async function buildImage(
  context: string,
  dockerfile: string,
  layoutDir: string,
): Promise<WrittenImage> {
  const file = resolve(context, dockerfile);
  if (!existsSync(file))
    throw new DockerBuildError(`failed to read dockerfile: open ${dockerfile}: no such file or directory`);
  const staging = mkdtempSync(join(tmpdir(), 'tollgate-docker-build-'));
  try {
    let workdir = '/';
    let from: string | undefined;
    let cmd: string[] | undefined;
    let entrypoint: string[] | undefined;
    const env: string[] = [];
    const labels: Record<string, string> = {};
    for (const { keyword, args } of parseDockerfile(readFileSync(file, 'utf8'))) {
      switch (keyword) {
        case 'FROM':
          if (from) throw new DockerBuildError('multi-stage builds are not modelled by the rehearsal docker');
          from = args.split(/\s+/)[0];
          break;
        case 'WORKDIR':
          workdir = posix.resolve(workdir, args);
          mkdirSync(join(staging, workdir), { recursive: true });
          break;
        case 'ENV':
          for (const [k, v] of keyValues(args)) env.push(`${k}=${v}`);
          break;
        case 'LABEL':
          for (const [k, v] of keyValues(args)) labels[k] = v;
          break;
        case 'CMD':
          cmd = execForm(args);
          break;
        case 'ENTRYPOINT':
          entrypoint = execForm(args);
          break;
        case 'COPY':
        case 'ADD':
          addFiles(keyword, args, context, staging, workdir);
          break;
        default:
          throw new DockerBuildError(
            `${keyword} is not modelled by the rehearsal docker (no container runtime)`,
          );
      }
    }
    if (!from) throw new DockerBuildError('the Dockerfile has no FROM');
    labels['org.opencontainers.image.base.name'] = from;
    const layer = join(staging, '..', `${basename(staging)}.tar.gz`);
    const entries = readdirSync(staging).sort();
    const tar = execFileSync(
      'tar',
      [
        '--sort=name',
        '--mtime=@0',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--format=gnu',
        '-C',
        staging,
        '-cf',
        '-',
        ...entries,
      ],
      { maxBuffer: 1024 * 1024 * 1024 },
    );
    writeFileSync(layer, gzipSync(tar, { level: 9 }));
    try {
      return await writeImage(layoutDir, {
        layer,
        created: new Date(0),
        architecture: 'arm64',
        ...(cmd ? { cmd } : {}),
        ...(entrypoint ? { entrypoint } : {}),
        ...(workdir !== '/' ? { workingDir: workdir } : {}),
        ...(env.length ? { env } : {}),
        labels,
      });
    } finally {
      rmSync(layer, { force: true });
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function addFiles(keyword: string, args: string, context: string, staging: string, workdir: string): void {
  const parts = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  if (parts.some((p) => p.startsWith('--')))
    throw new DockerBuildError(`${keyword} flags are not modelled by the rehearsal docker: ${args}`);
  if (parts.length < 2) throw new DockerBuildError(`${keyword} needs a source and a destination: ${args}`);
  const dest = parts[parts.length - 1];
  const target = join(staging, posix.resolve(workdir, dest));
  const intoDirectory = dest.endsWith('/') || parts.length > 2;
  for (const src of parts.slice(0, -1)) {
    const from = resolve(context, src);
    const inside = relative(resolve(context), from);
    if (inside.startsWith('..') || isAbsolute(inside))
      throw new DockerBuildError(`${keyword} ${src}: forbidden path outside the build context`);
    if (!existsSync(from))
      throw new DockerBuildError(`${keyword} ${src}: no such file or directory in the build context`);
    if (keyword === 'ADD' && ARCHIVE.test(src) && statSync(from).isFile()) {
      mkdirSync(target, { recursive: true });
      execFileSync('tar', ['-xf', from, '-C', target, '--no-same-owner']);
    } else if (statSync(from).isDirectory()) {
      cpSync(from, target, { recursive: true });
    } else {
      const to = intoDirectory ? join(target, basename(from)) : target;
      mkdirSync(join(to, '..'), { recursive: true });
      cpSync(from, to);
    }
  }
}
