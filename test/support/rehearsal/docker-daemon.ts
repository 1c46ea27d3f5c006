/**
 * The Docker engine a CodeBuild build with privileged mode talks to, emulated for the commands the
 * synthesized buildspec runs (there is no Docker engine on this machine). The `docker` on the
 * build's PATH (docker-cli.mjs) is a thin client, as the real one is: it sends its arguments, its
 * working directory, stdin and the client settings (DOCKER_CONFIG, the build's AWS environment) to
 * this daemon over loopback (DOCKER_HOST) and prints what comes back.
 *
 * Models: `login` (the password must be the token ECR issues; the client's config.json keeps it per
 * registry, as Docker's credential store does); `build` (docker-build.ts); `push` to ECR through the
 * real ECR API, as ECR authorizes a push: BatchCheckLayerAvailability, InitiateLayerUpload,
 * UploadLayerPart, CompleteLayerUpload for each blob it lacks, then PutImage with the manifest and
 * the tag, refused without a login for that registry ("no basic auth credentials"); `inspect` with
 * RepoDigests set by a successful push. The registry token stands for the identity that fetched it,
 * so the push is signed with the build's own credentials (the project role's), which `aws ecr
 * get-login-password` used. Does not model: pulling, other registries, tokens expiring, other
 * commands or flags (each answers a one-line error and exit code 1).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr';
import { OciLayout } from '../../../functions/shared/adapters/local/oci-layout.js';
import { buildImage, DockerBuildError } from './docker-build.js';

/** What docker-cli.mjs sends for one command. */
interface ClientRequest {
  readonly args: string[];
  readonly cwd: string;
  readonly stdin: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

interface Reply {
  code: number;
  stdout: string;
  stderr: string;
}

interface LocalImage {
  readonly digest: string;
  readonly repoDigests: Set<string>;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/;

export class DockerDaemon {
  private server?: Server;
  private readonly layout: OciLayout;
  /** `repository:tag` → the image it names, as `docker images` would list. */
  private readonly tags = new Map<string, LocalImage>();
  /** Filled in by `start`: the DOCKER_HOST a client connects to. */
  host = '';

  /** @param admin ECR, as the registry itself sees it: only to check a login's password. */
  constructor(
    root: string,
    private readonly admin: ECRClient,
  ) {
    this.layout = new OciLayout(join(root, 'oci'));
  }

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const reply = await this.run(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ClientRequest).catch(
        (error: Error) => ({
          code: 1,
          stdout: '',
          stderr: `${error instanceof DockerBuildError ? 'ERROR: ' : 'Error response from daemon: '}${error.message}\n`,
        }),
      );
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.host = `tcp://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.host;
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async run(request: ClientRequest): Promise<Reply> {
    const [command, ...rest] = request.args;
    switch (command) {
      case 'login':
        return this.login(request, rest);
      case 'build':
        return this.build(request, rest);
      case 'push':
        return this.push(request, rest);
      case 'inspect':
        return this.inspect(rest);
      default:
        return fail(`docker: '${command}' is not a command the rehearsal's Docker engine models`);
    }
  }

  private async login(request: ClientRequest, args: string[]): Promise<Reply> {
    const { flags, positional } = parseFlags(
      args,
      ['--username', '-u', '--password', '-p'],
      ['--password-stdin'],
    );
    const registry = positional[0];
    const username = flags['--username'] ?? flags['-u'];
    const password =
      flags['--password-stdin'] !== undefined ? request.stdin.trim() : (flags['--password'] ?? flags['-p']);
    if (!registry || !username || !password) return fail('login needs a registry, --username and a password');
    const ecr = ECR_HOST.exec(registry);
    if (!ecr) return fail(`login to ${registry}: the rehearsal's registry is ECR only`);
    const issued = await this.admin.send(new GetAuthorizationTokenCommand({ registryIds: [ecr[1]] }));
    const expected = Buffer.from(issued.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString(
      'utf8',
    );
    if (`${username}:${password}` !== expected)
      return fail(`login attempt to https://${registry}/v2/ failed with status: 401 Unauthorized`);
    const config = this.clientConfig(request);
    config.auths[registry] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
    mkdirSync(configDir(request), { recursive: true });
    writeFileSync(join(configDir(request), 'config.json'), JSON.stringify(config, null, 2));
    return { code: 0, stdout: 'Login Succeeded\n', stderr: '' };
  }

  private async build(request: ClientRequest, args: string[]): Promise<Reply> {
    const { flags, positional, tags } = parseFlags(args, ['--file', '-f', '--tag', '-t'], []);
    if (positional.length !== 1) return fail('"docker build" requires exactly 1 argument (the context)');
    const context = resolve(request.cwd, positional[0]);
    const image = await buildImage(context, flags['--file'] ?? flags['-f'] ?? 'Dockerfile', this.layout.root);
    const out = [`writing image ${image.digest} done`];
    for (const tag of tags) {
      this.tags.set(normalise(tag), { digest: image.digest, repoDigests: new Set() });
      out.push(`naming to ${tag} done`);
    }
    return { code: 0, stdout: `${out.join('\n')}\n`, stderr: '' };
  }

  private async push(request: ClientRequest, args: string[]): Promise<Reply> {
    if (args.length !== 1) return fail('"docker push" requires exactly 1 argument');
    const ref = normalise(args[0]);
    const image = this.tags.get(ref);
    if (!image) return fail(`An image does not exist locally with the tag: ${args[0]}`);
    const slash = ref.indexOf('/');
    const [registry, repoAndTag] = [ref.slice(0, slash), ref.slice(slash + 1)];
    const colon = repoAndTag.lastIndexOf(':');
    const [repositoryName, tag] = [repoAndTag.slice(0, colon), repoAndTag.slice(colon + 1)];
    if (!ECR_HOST.test(registry)) return fail(`push to ${registry}: the rehearsal's registry is ECR only`);
    if (!this.clientConfig(request).auths[registry]) return fail('no basic auth credentials');
    const ecr = new ECRClient({
      region: request.env.AWS_REGION,
      endpoint: request.env.AWS_ENDPOINT_URL,
      credentials: {
        accessKeyId: request.env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: request.env.AWS_SECRET_ACCESS_KEY ?? '',
        ...(request.env.AWS_SESSION_TOKEN ? { sessionToken: request.env.AWS_SESSION_TOKEN } : {}),
      },
    });
    const manifestBytes = readFileSync(this.layout.blobPath(image.digest));
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as {
      mediaType: string;
      config: { digest: string };
      layers: Array<{ digest: string }>;
    };
    const blobs = [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
    const checked = await ecr.send(
      new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: blobs }),
    );
    const out: string[] = [`The push refers to repository [${registry}/${repositoryName}]`];
    for (const digest of blobs) {
      if (checked.layers?.some((l) => l.layerDigest === digest && l.layerAvailability === 'AVAILABLE')) {
        out.push(`${digest.slice(7, 19)}: Layer already exists`);
        continue;
      }
      const bytes = readFileSync(this.layout.blobPath(digest));
      const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
      await ecr.send(
        new UploadLayerPartCommand({
          repositoryName,
          uploadId,
          partFirstByte: 0,
          partLastByte: bytes.length - 1,
          layerPartBlob: bytes,
        }),
      );
      await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [digest] }));
      out.push(`${digest.slice(7, 19)}: Pushed`);
    }
    try {
      await ecr.send(
        new PutImageCommand({
          repositoryName,
          imageManifest: manifestBytes.toString('utf8'),
          imageManifestMediaType: manifest.mediaType,
          imageDigest: image.digest,
          imageTag: tag,
        }),
      );
    } catch (error) {
      // The registry already has this manifest under this tag: docker push reports success.
      if ((error as Error).name !== 'ImageAlreadyExistsException') throw error;
    }
    image.repoDigests.add(`${registry}/${repositoryName}@${image.digest}`);
    out.push(`${tag}: digest: ${image.digest} size: ${manifestBytes.length}`);
    return { code: 0, stdout: `${out.join('\n')}\n`, stderr: '' };
  }

  private inspect(args: string[]): Reply {
    const { flags, positional } = parseFlags(args, ['--format', '-f'], []);
    const format = flags['--format'] ?? flags['-f'];
    const found = positional.map((p) => ({ ref: p, image: this.tags.get(normalise(p)) }));
    const missing = found.find((f) => !f.image);
    if (missing) return fail(`No such object: ${missing.ref}`);
    const views = found.map(({ image }) => ({
      Id: image!.digest,
      RepoTags: [...this.tags].filter(([, i]) => i === image).map(([t]) => t),
      RepoDigests: [...image!.repoDigests],
    }));
    if (format === undefined) return { code: 0, stdout: `${JSON.stringify(views, null, 4)}\n`, stderr: '' };
    const lines: string[] = [];
    for (const view of views) {
      if (format === '{{.Id}}') lines.push(view.Id);
      else if (format === '{{index .RepoDigests 0}}') {
        if (!view.RepoDigests.length)
          return fail(
            'template: :1:2: executing "" at <index .RepoDigests 0>: error calling index: index out of range: 0',
          );
        lines.push(view.RepoDigests[0]);
      } else
        return fail(
          `inspect --format ${format}: the rehearsal's Docker models {{.Id}} and {{index .RepoDigests 0}} only`,
        );
    }
    return { code: 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
  }

  private clientConfig(request: ClientRequest): { auths: Record<string, { auth: string }> } {
    try {
      const parsed = JSON.parse(readFileSync(join(configDir(request), 'config.json'), 'utf8'));
      return { ...parsed, auths: parsed.auths ?? {} };
    } catch {
      return { auths: {} };
    }
  }
}

function configDir(request: ClientRequest): string {
  return request.env.DOCKER_CONFIG ?? join(request.env.HOME ?? '/root', '.docker');
}

/** `name:tag` with Docker's default tag. */
function normalise(ref: string): string {
  const lastSlash = ref.lastIndexOf('/');
  return ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
}

function fail(message: string): Reply {
  return { code: 1, stdout: '', stderr: `Error: ${message}\n` };
}

/** `--flag value`, `--flag=value` and bare switches; repeated `--tag`/`-t` gather into `tags`. */
function parseFlags(args: string[], valued: string[], switches: string[]) {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  const tags: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const [name, inline] =
      args[i].startsWith('--') && args[i].includes('=') ? args[i].split(/=(.*)/s) : [args[i]];
    if (switches.includes(name)) flags[name] = '';
    else if (valued.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new DockerBuildError(`flag needs an argument: ${name}`);
      if (name === '--tag' || name === '-t') tags.push(value);
      else flags[name] = value;
    } else if (name.startsWith('-'))
      throw new DockerBuildError(`unknown flag: ${name} (not modelled by the rehearsal's Docker)`);
    else positional.push(args[i]);
  }
  return { flags, positional, tags };
}
