import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../../functions/register-release/handler.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { COMMIT, configFor, inputFor, type Workspace, workspace } from './register-release-fixture.js';

/** Ports register-release never touches: any use is a bug, so they fail loudly. */
const unused = (port: string) =>
  new Proxy(
    {},
    {
      get: (_t, prop) => () => {
        throw new Error(`register-release must not use ${port}.${String(prop)}`);
      },
    },
  );

describe('register-release handler', () => {
  let ws: Workspace;
  let handler: ReturnType<typeof createHandler>;

  beforeEach(async () => {
    ws = await workspace();
    const ports = {
      config: configFor(false),
      clock: ws.clock,
      artifacts: ws.artifacts,
      images: ws.images,
      ledger: ws.ledger,
      deployer: unused('deployer'),
      locks: unused('locks'),
      notifier: unused('notifier'),
      metrics: unused('metrics'),
    } as unknown as TollgatePorts;
    handler = createHandler(async () => ports);
  });
  afterEach(async () => {
    await ws.cleanup();
  });

  it('returns the release reference when the event is a valid registration', async () => {
    // Arrange
    await ws.stageBuild();
    // Act
    const result = await handler(inputFor());
    // Assert
    expect(result).toMatchObject({ version: 'r1-1a2b3c4', commit: COMMIT, sequence: 1 });
  });

  it.each([
    ['the commit is missing', { ...inputFor(), commit: undefined }, /commit: /],
    [
      'the commit id is not 40 hex',
      { ...inputFor(), commit: { ...inputFor().commit, commit: 'abc' } },
      /commit\.commit: /,
    ],
    [
      'the image digest is malformed',
      { ...inputFor(), build: { artifactKey: 'builds/x/release.tgz', imageDigest: 'latest' } },
      /build\.imageDigest: must be "sha256:"/,
    ],
    [
      'the build time is not ISO 8601',
      { ...inputFor(), build: { artifactKey: 'k', builtAt: 'yesterday' } },
      /build\.builtAt/,
    ],
    ['the execution ARN is empty', { ...inputFor(), executionArn: '' }, /executionArn/],
  ])('throws InvalidInput and writes nothing when %s', async (_what, event, message) => {
    // Arrange
    await ws.stageBuild();
    // Act
    const attempt = handler(event);
    // Assert
    await expect(attempt).rejects.toMatchObject({
      name: 'Tollgate.InvalidInput',
      message: expect.stringMatching(message),
    });
    expect(await ws.artifacts.list('releases/')).toEqual([]);
  });
});
