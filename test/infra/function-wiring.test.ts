import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAMBDA_FUNCTIONS } from '../../bench/bundles.js';
import type { AwsPortName } from '../../functions/shared/wiring/aws-port-builders.js';
import type { AwsPortsFactory } from '../../functions/shared/wiring/aws-ports.js';
import { buildAwsPorts } from '../../functions/shared/wiring/aws-ports.js';
import { CONFIG_FILE } from '../../functions/shared/wiring/env.js';
import { Capability, FUNCTION_GRANTS, type GrantedFunction } from '../../infra/function-grants.js';
import { validConfig } from '../support/config-fixtures.js';

/** Which capabilities let a port do its work at all: a wired port without one is denied on AWS. */
const PORT_CAPABILITIES: Readonly<Record<AwsPortName, readonly Capability[]>> = {
  artifacts: [Capability.ArtifactsRead, Capability.ArtifactsWrite],
  images: [Capability.ImagesRead, Capability.ImagesTag],
  deployer: [Capability.EcsDeploy, Capability.EcsDescribe],
  ledger: [Capability.LedgerRead, Capability.LedgerAppend],
  locks: [Capability.Locks, Capability.LocksRead],
  notifier: [Capability.Notify],
  metrics: [Capability.CloudWatchRead],
  traffic: [Capability.TrafficShift, Capability.TrafficRead],
  appMetrics: [],
  cloudChecks: [Capability.CloudWatchRead],
  // migration-safety's one-off ECS task of the previous release (EcsReleaseTrials).
  trials: [Capability.EcsTrial],
  // run-tests' CodeBuildTestRunner: builds of the test-stage project, results under tests/.
  testRunner: [Capability.TestsRun],
  // Resolving an environment's own connection reads only its secret (migrate-database's use).
  snapshots: [Capability.SnapshotManage, Capability.SnapshotRead, Capability.DatabaseSecrets],
  approvals: [
    Capability.Approvals,
    Capability.ApprovalTokenWrite,
    Capability.ApprovalTokenRead,
    Capability.ApprovalTokenDiscard,
  ],
  callback: [Capability.TaskCallback, Capability.RunRead],
  source: [Capability.SourceRead],
};

async function wiringOf(name: string): Promise<AwsPortsFactory> {
  const module = (await import(`../../functions/${name}/handler.ts`)) as { awsWiring?: AwsPortsFactory };
  if (!module.awsWiring) throw new Error(`functions/${name}/handler.ts exports no awsWiring`);
  return module.awsWiring;
}

describe('per-function AWS wiring', () => {
  const granted = LAMBDA_FUNCTIONS.filter((name): name is GrantedFunction => name in FUNCTION_GRANTS);

  it.each(granted)('%s wires only ports its IAM grants let it use', async (name) => {
    // Arrange
    const wiring = await wiringOf(name);
    // Act
    const ungranted = wiring.wired.filter(
      (port) => !PORT_CAPABILITIES[port].some((c) => FUNCTION_GRANTS[name].includes(c)),
    );
    // Assert
    expect(ungranted, `ports of ${name} with no capability in FUNCTION_GRANTS`).toEqual([]);
  });

  it('fails on first use of a port the function does not wire, naming the function and port', () => {
    // Arrange
    const file = join(mkdtempSync(join(tmpdir(), 'tollgate-wiring-')), CONFIG_FILE);
    writeFileSync(file, JSON.stringify(validConfig()));
    const ports = buildAwsPorts('smoke-test', {}, {}, file);
    // Act + Assert
    expect(() => ports.ledger).toThrow(/function "smoke-test" has no "ledger" port on AWS/);
    expect(ports.config.name).toBe(validConfig().name);
  });
});
