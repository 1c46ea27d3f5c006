import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  createTestRepo,
  freePort,
  killApps,
  type RunningUp,
  removeDir,
  startUp,
  type TestRepo,
} from '../unit/cli/e2e-harness.js';

let up: RunningUp;
let repo: TestRepo;
let dataDir: string;
let port: number;

beforeAll(async () => {
  repo = await createTestRepo();
  dataDir = mkdtempSync(join(tmpdir(), 'tollgate-cli-errors-'));
  port = await freePort();
  up = await startUp(dataDir, repo.dir, port);
});

afterAll(async () => {
  await up?.stop();
  killApps(dataDir);
  removeDir(dataDir);
  removeDir(repo?.dir);
});

function expectOneLineFailure(result: { code: number; stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(pattern);
}

describe('tollgate CLI errors', () => {
  it('says no runtime is running, in one line, when nothing listens at the endpoint', async () => {
    // Arrange
    const idle = await freePort();
    // Act
    const result = await cli(['runs', '--endpoint', `http://127.0.0.1:${idle}`, '--data-dir', dataDir]);
    // Assert
    expectOneLineFailure(
      result,
      new RegExp(
        `^tollgate: no Tollgate runtime at http://127\\.0\\.0\\.1:${idle}; start it with \`npx tollgate up\`$`,
      ),
    );
  });

  it('says no runtime is running when the data directory was never started', async () => {
    // Arrange
    const empty = mkdtempSync(join(tmpdir(), 'tollgate-cli-empty-'));
    // Act
    const result = await cli(['show', 'some-run', '--data-dir', empty]);
    // Assert
    expectOneLineFailure(
      result,
      /^tollgate: no Tollgate runtime at http:\/\/127\.0\.0\.1:4600; start it with/,
    );
    removeDir(empty);
  });

  it('names an unknown run in one line', async () => {
    // Act
    const byName = await cli(['show', 'no-such-run', '--data-dir', dataDir]);
    const byArn = await cli([
      'approve',
      'arn:aws:states:us-east-1:000000000000:execution:tollgate-orders-service:nope',
      '--data-dir',
      dataDir,
    ]);
    // Assert
    expectOneLineFailure(
      byName,
      /^tollgate: unknown run "no-such-run": no execution with that name or ARN at http/,
    );
    expectOneLineFailure(byArn, /^tollgate: unknown run "arn:aws:states:.*:nope"/);
  });

  it('reports an invalid config with the config error and emits nothing', async () => {
    // Arrange
    const bad = await createTestRepo();
    writeFileSync(
      join(bad.dir, 'tollgate.config.ts'),
      'export default { name: "Orders Service", environments: [] };\n',
    );
    bad.commit('break the config');
    // Act
    const result = await cli(['push', '--repo', bad.dir, '--data-dir', dataDir]);
    const runs = await cli(['runs', '--json', '--data-dir', dataDir]);
    // Assert
    expectOneLineFailure(
      result,
      /^tollgate: invalid config in .*tollgate\.config\.ts: name: must start with a lowercase letter/,
    );
    expect(JSON.parse(runs.stdout).runs).toEqual([]);
    removeDir(bad.dir);
  });

  it('refuses to push from a directory that is not a git repository', async () => {
    // Arrange
    const plain = mkdtempSync(join(tmpdir(), 'tollgate-not-git-'));
    // Act
    const result = await cli(['push', '--repo', plain, '--data-dir', dataDir]);
    // Assert
    expectOneLineFailure(result, /^tollgate: not a git repository: /);
    removeDir(plain);
  });

  it('refuses to start a second tollgate up on the same data directory, naming the holder', async () => {
    // Act
    const result = await cli([
      'up',
      '--data-dir',
      dataDir,
      '--repo',
      repo.dir,
      '--port',
      String(await freePort()),
    ]);
    // Assert
    expectOneLineFailure(result, new RegExp(`is locked by pid ${up.child.pid}`));
  });
});

describe('the local approvals route', () => {
  const decide = (headers: Record<string, string>) =>
    fetch(`${up.endpoint}/api/approvals/apr-000000000000000000000000/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ decision: 'approve', comment: '' }),
    });

  it('refuses a cross-origin request', async () => {
    // Act
    const res = await decide({ origin: 'http://evil.example' });
    // Assert
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: 'forbidden',
      reason: 'cross-origin request refused (Origin http://evil.example)',
    });
  });

  it('refuses a wrong secret', async () => {
    // Act
    const res = await decide({ 'x-tollgate-secret': 'not-the-secret' });
    // Assert
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe('forbidden');
  });

  it('lists pending approvals without token hashes', async () => {
    // Act
    const res = await fetch(`${up.endpoint}/api/approvals`);
    // Assert
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ approvals: [] });
  });
});
