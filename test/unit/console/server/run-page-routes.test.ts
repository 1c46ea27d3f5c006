import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleRoutes, createConsoleRoutes } from '../../../../console/server/index.js';
import { repositoryOf } from '../../../../console/server/repository-link.js';
import { repositoryWeb } from '../../../../model/commit-link.js';
import { createLocalPipeline, freePort, type LocalPipeline } from '../../../support/local-pipeline.js';

const ASL = readFileSync(new URL('../../../../statemachines/pipeline.asl.json', import.meta.url), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: JSON answers, each field checked where read
type Json = any;
const SECRET = 'run-page-routes-secret-0123456789abcdef';

let pipeline: LocalPipeline;
let routes: ConsoleRoutes;
let bare: ConsoleRoutes;
let server: Server;
let port: number;
let commit: string;

const json = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Json };
};

beforeAll(async () => {
  pipeline = await createLocalPipeline();
  port = await freePort();
  const deps = {
    sfn: pipeline.engine.service,
    ledger: pipeline.runner.ports.ledger,
    approvals: pipeline.runner.ports.approvals,
    aslText: ASL,
    stateMachineArn: pipeline.stateMachineArn,
    config: pipeline.config,
    secret: SECRET,
    port,
    onEvent: (listener: Parameters<LocalPipeline['engine']['onEvent']>[0]) =>
      pipeline.engine.onEvent(listener),
    clock: { now: () => new Date(pipeline.clock.now()) },
  };
  routes = createConsoleRoutes({
    ...deps,
    taskLogs: pipeline.runner.taskLogs,
    repository: repositoryWeb('git@github.com:acme/orders-service.git'),
  });
  // Without a log store or a repository: a console embedded without them.
  bare = createConsoleRoutes(deps);
  server = createServer(async (req, res) => {
    const chosen = req.url?.startsWith('/bare') ? bare : routes;
    if (req.url?.startsWith('/bare')) req.url = req.url.slice('/bare'.length);
    if (!(await chosen(req, res))) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  commit = pipeline.repo.commit('break health', { HEALTH_FAIL: 'yes\n' });
  await pipeline.finish(await pipeline.start(commit, 'run-bad'));
}, 180_000);

afterAll(async () => {
  routes?.close();
  bare?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await pipeline?.close();
});

describe('the run page routes', () => {
  it('returns the failed stage’s task log lines, redacted, for that stage and environment only', async () => {
    // Arrange / Act
    const { status, body } = await json('/api/runs/run-bad/logs?stage=deploy&environment=test');
    // Assert
    expect(status).toBe(200);
    expect(body.lines.length).toBeGreaterThan(0);
    expect(body.lines.every((l: Json) => l.stage === 'deploy' && l.environment === 'test')).toBe(true);
    expect(body.lines.map((l: Json) => l.message)).toContain('task started');
    const all = await json('/api/runs/run-bad/logs');
    expect(all.body.lines.some((l: Json) => l.stage === 'register')).toBe(true);
    expect(all.body.lines.length).toBeGreaterThan(body.lines.length);
  });

  it.each([
    ['a stage that is no stage id', '/api/runs/run-bad/logs?stage=DROP%20TABLE', /^stage must be a stage id/],
    [
      'an environment not in the config',
      '/api/runs/run-bad/logs?environment=qa',
      /^environment must be one of test, staging, prod/,
    ],
    ['a run that does not exist', '/api/runs/no-such-run/logs', /^no run named "no-such-run"/],
  ])('refuses %s in one line', async (_what, path, message) => {
    // Arrange / Act
    const { status, body } = await json(path);
    // Assert
    expect([400, 404]).toContain(status);
    expect(body.message).toMatch(message);
    expect(body.message).not.toContain('\n');
  });

  it('says so when the console keeps no task logs', async () => {
    // Arrange / Act
    const { status, body } = await json('/bare/api/runs/run-bad/logs');
    // Assert
    expect(status).toBe(404);
    expect(body.message).toMatch(/without a task log store/);
  });

  it('returns the commit link, where a redrive resumes, the failure in words and the stage graph', async () => {
    // Arrange / Act
    const { body } = await json('/api/runs/run-bad');
    const bareRun = (await json('/bare/api/runs/run-bad')).body;
    // Assert
    expect(body.run.number).toBe(1);
    expect(body.run.commitUrl).toBe(`https://github.com/acme/orders-service/commit/${commit}`);
    expect(bareRun.run.commitUrl).toBeNull();
    expect(body.run.redriveFrom).toMatchObject({ state: 'RunFailed', kind: 'Fail', failsAgain: true });
    expect(body.run.readableFailure).toMatchObject({
      title: 'Deploy failed',
      error: 'Tollgate.DeployFailed',
    });
    expect(body.run.readableFailure.message).not.toMatch(/^\{/);
    const test = body.stageGraph.find((r: Json) => r.environment === 'test');
    expect(test.nodes.find((n: Json) => n.stage === 'deploy').status).toBe('failed');
    expect(body.stageGraph.find((r: Json) => r.environment === 'prod').nodes[0].status).toBe('not-run');
  });

  it('returns the approval history, empty before any approval ended', async () => {
    // Arrange / Act
    const { status, body } = await json('/api/approval-history');
    // Assert
    expect(status).toBe(200);
    expect(body.history).toEqual([]);
  });
});

describe('repositoryOf', () => {
  it('prefers the working copy’s origin, then the AWS build source in the stack’s region', () => {
    // Arrange
    const config = { source: { repository: 'orders', branches: ['main'] }, aws: undefined } as Json;
    const github = { ...config, aws: { buildSource: { type: 'github', owner: 'acme' } } };
    const codecommit = { ...config, aws: { buildSource: { type: 'codecommit' } } };
    // Act / Assert
    expect(repositoryOf(config, { remoteUrl: 'https://gitlab.com/acme/orders.git' })?.url).toBe(
      'https://gitlab.com/acme/orders',
    );
    expect(repositoryOf(github, {})?.url).toBe('https://github.com/acme/orders');
    expect(repositoryOf(codecommit, { region: 'eu-west-1' })).toMatchObject({
      host: 'codecommit',
      name: 'orders',
    });
    expect(repositoryOf(codecommit, {})).toBeNull();
    expect(repositoryOf(config, { remoteUrl: '/srv/git/orders.git' })).toBeNull();
  });
});
