import { systemClock } from '../clock.js';
import { parseConfig } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import type { PortsFactory, TollgatePorts } from '../ports/tollgate-ports.js';
import type { AwsPortBuilder, AwsPortName, AwsWiringContext } from './aws-port-builders.js';
import { bundledConfigPath, readBundledConfig } from './env.js';
import { lazyPorts } from './lazy-ports.js';

/** The ports one function uses, each with its AWS builder (from aws-port-builders.ts). */
export type AwsWiring = { readonly [K in AwsPortName]?: AwsPortBuilder<K> };

/** A function's AWS ports factory; `wired` names its ports so a test can hold them to its IAM grants. */
export type AwsPortsFactory = PortsFactory & { readonly wired: readonly AwsPortName[] };

const ALL_PORTS = [
  'artifacts',
  'images',
  'deployer',
  'ledger',
  'locks',
  'notifier',
  'metrics',
  'traffic',
  'appMetrics',
  'cloudChecks',
  'trials',
  'snapshots',
  'approvals',
  'callback',
  'source',
  'testRunner',
] as const satisfies readonly AwsPortName[];

/**
 * The AWS side of one function's ports, built from the environment the TollgatePipeline construct
 * sets. Each handler names the ports it uses, so its bundle carries only those SDK clients; each
 * port (and its client) is still created on first use, once per container. A port the function does
 * not wire fails on first access with a message naming it, instead of an undefined deep in the logic.
 */
export function awsPorts(functionName: string, wiring: AwsWiring): AwsPortsFactory {
  let ports: TollgatePorts | undefined;
  const factory = async () => {
    ports ??= buildAwsPorts(functionName, wiring, process.env);
    return ports;
  };
  const wired = ALL_PORTS.filter((name) => wiring[name] !== undefined);
  return Object.assign(factory, { wired });
}

export function buildAwsPorts(
  functionName: string,
  wiring: AwsWiring,
  env: NodeJS.ProcessEnv,
  configFile: string = bundledConfigPath(),
): TollgatePorts {
  // The stack ships the config as written; validating it here again means a hand-edited file
  // fails loudly instead of running with a half-understood config.
  const config = parseConfig(readBundledConfig(configFile), `the bundled config ${configFile}`);
  const context: AwsWiringContext = { env, config };
  const port = <K extends AwsPortName>(name: K): (() => TollgatePorts[K]) => {
    const build = wiring[name] as AwsPortBuilder<K> | undefined;
    if (build) return () => build(context);
    return () => {
      throw new ConfigError(
        `function "${functionName}" has no "${name}" port on AWS: add its builder to the awsPorts(...) ` +
          `wiring in functions/${functionName}/handler.ts and its capability to FUNCTION_GRANTS`,
      );
    };
  };
  return lazyPorts({
    config: () => config,
    clock: () => systemClock,
    artifacts: port('artifacts'),
    images: port('images'),
    deployer: port('deployer'),
    ledger: port('ledger'),
    locks: port('locks'),
    notifier: port('notifier'),
    metrics: port('metrics'),
    traffic: port('traffic'),
    appMetrics: port('appMetrics'),
    cloudChecks: port('cloudChecks'),
    trials: port('trials'),
    testRunner: port('testRunner'),
    snapshots: port('snapshots'),
    approvals: port('approvals'),
    callback: port('callback'),
    source: port('source'),
  });
}
