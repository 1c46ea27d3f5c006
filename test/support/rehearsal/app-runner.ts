/**
 * What an ECS service's containers serve, for the smoke tests: when a rollout completes, the
 * release its task definition pins (`<repository>@<image digest>`) runs as the example app
 * (`node src/server.mjs`) on a loopback port, with the container's environment from the task
 * definition and TOLLGATE_ENVIRONMENT, behind the environment's URL host (resolved through the
 * hosts map). The release is found the way an image would carry it: the release metadata in the
 * artifacts bucket whose imageDigest is the pinned digest, its artifact unpacked (the image's
 * layer is that same tarball), and a release.json beside it.
 * The service's first task definition (`:baseline`, before Tollgate) runs the repository's first
 * commit.
 *
 * Does not model: containers, image layers, several tasks per service, or health-check grace.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../free-port.js';
import type { HostsMap } from './rds-data-plane.js';

export interface AppRunnerOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly pipeline: string;
  /** A checkout of the repository's first commit: what ran before Tollgate's first release. */
  readonly baselineDir: string;
  readonly workDir: string;
  readonly hosts: HostsMap;
  /**
   * ECS service name → { environment name, URL host }; a canary service has no host of its own
   * (only the load balancer's traffic reaches it, see AlbTraffic).
   */
  readonly services: Readonly<Record<string, { environment: string; host?: string }>>;
}

export class AppRunner {
  private readonly running = new Map<string, ChildProcess>();
  private readonly ports = new Map<string, number>();
  private readonly unpacked = new Map<string, Promise<string>>();

  constructor(private readonly options: AppRunnerOptions) {}

  async serve(
    service: string,
    taskDefinition: {
      containerDefinitions?: Array<{
        image?: string;
        environment?: Array<{ name?: string; value?: string }>;
      }>;
    },
  ): Promise<void> {
    const target = this.options.services[service];
    if (!target) return;
    const image = taskDefinition.containerDefinitions?.[0]?.image ?? '';
    const dir = image.endsWith(':baseline') ? this.options.baselineDir : await this.unpack(image);
    this.running.get(service)?.kill('SIGKILL');
    const port = await freePort();
    const child = spawn(process.execPath, ['src/server.mjs'], {
      cwd: dir,
      env: {
        // The container's environment from its task definition (the release variables the deployer sets).
        ...Object.fromEntries(
          (taskDefinition.containerDefinitions?.[0]?.environment ?? []).map((e) => [e.name, e.value]),
        ),
        PATH: process.env.PATH,
        PORT: String(port),
        TOLLGATE_ENVIRONMENT: target.environment,
      },
      stdio: 'ignore',
    });
    this.running.set(service, child);
    await waitForPort(port);
    this.ports.set(service, port);
    if (target.host) this.options.hosts.set(target.host, port);
  }

  /** The loopback port the service's app listens on; undefined while it runs no task. */
  portOf(service: string): number | undefined {
    return this.ports.get(service);
  }

  /** The service was scaled to 0 tasks: its app stops. */
  async stop(service: string): Promise<void> {
    this.running.get(service)?.kill('SIGKILL');
    this.running.delete(service);
    this.ports.delete(service);
  }

  async close(): Promise<void> {
    for (const child of this.running.values()) child.kill('SIGKILL');
    this.running.clear();
  }

  /**
   * The release an image digest stands for, unpacked once: every environment and canary deploys the
   * same image, and finding it lists and reads every release's metadata in S3 (moto) each time.
   */
  private unpack(image: string): Promise<string> {
    const digest = image.split('@')[1];
    if (!digest) throw new Error(`app runner: image "${image}" is not pinned to a digest`);
    let dir = this.unpacked.get(digest);
    if (!dir) {
      dir = this.findAndUnpack(digest);
      this.unpacked.set(digest, dir);
      dir.catch(() => this.unpacked.delete(digest));
    }
    return dir;
  }

  private async findAndUnpack(digest: string): Promise<string> {
    const { s3, bucket, pipeline } = this.options;
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `releases/${pipeline}/` }),
    );
    for (const o of listed.Contents ?? []) {
      if (!o.Key?.endsWith('.json')) continue;
      const text = await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }))
      ).Body!.transformToString();
      const meta = JSON.parse(text) as {
        imageDigest?: string;
        artifactKey: string;
        version: string;
        digest: string;
      };
      if (meta.imageDigest !== digest) continue;
      const dir = join(this.options.workDir, `app-${meta.version}`);
      mkdirSync(dir, { recursive: true });
      const tarball = await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: meta.artifactKey }))
      ).Body!.transformToByteArray();
      writeFileSync(join(dir, 'release.tgz'), tarball);
      execFileSync('tar', ['xzf', 'release.tgz'], { cwd: dir });
      writeFileSync(
        join(dir, 'release.json'),
        JSON.stringify({ version: meta.version, digest: meta.digest, imageDigest: digest }),
      );
      return dir;
    }
    throw new Error(`app runner: no release in s3://${bucket}/releases/${pipeline}/ has image ${digest}`);
  }
}

/** The start-up probe (ECS/ALB health check): one answered /health, whatever it says. */
async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`app runner: the app did not listen on ${port} within 15 s`);
}
