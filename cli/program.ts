import { Command, CommanderError, Option } from 'commander';
import { CliError, ExitCode, oneLine } from './client/cli-error.js';
import { packageVersion } from './commands/package-version.js';

/**
 * The `tollgate` command line. Every command: --json, --endpoint, --data-dir, --aws [--stack].
 * Each action imports its command module when it runs, so `--help` and the read commands load only
 * what they use (the precompiled CLI keeps each import a separate chunk; see scripts/build-cli.ts).
 */
function common(command: Command): Command {
  return command
    .option('--json', 'print one JSON document (schemas in docs/cli.md)')
    .option(
      '--endpoint <url>',
      "the local runtime (default: TOLLGATE_ENDPOINT, the data directory's runtime, or http://127.0.0.1:4600)",
    )
    .option('--data-dir <dir>', 'the data directory (default: TOLLGATE_DATA_DIR or .tollgate)')
    .option('--aws', 'use the deployed stack with the default AWS credential chain')
    .option('--stack <name>', 'the stack for --aws (default: TOLLGATE_STACK or Tollgate)');
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`--port must be an integer from 0 to 65535, got "${value}"`, ExitCode.Usage);
  return n;
}

function buildProgram(): Command {
  const program = new Command('tollgate')
    .description('Data-aware continuous delivery: test every release on masked production data')
    .version(packageVersion(), '-V, --version', 'print the version of Tollgate')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .showSuggestionAfterError();

  program
    .command('init')
    .description('write a commented tollgate.config.ts for this repository and ignore .tollgate/')
    .option('--repo <dir>', 'the repository (default: the current directory)')
    .option('--base-port <port>', 'first of the ports the environments use (default 4701)', port)
    .option('--json', 'print one JSON document')
    .action(async (o) => (await import('./commands/init/init-command.js')).initCommand(o));

  common(program.command('up').description('start the local runtime and console'))
    .option('--demo', 'seed the example app, deploy its first release and make a demo commit')
    .option('--repo <dir>', 'the repository with tollgate.config.ts (default: the current directory)')
    .option('--port <port>', "port to listen on (default 4600, or TOLLGATE_ENDPOINT's)", port)
    .action(async (o) => {
      if (o.aws) throw new CliError('up runs the local runtime; --aws does not apply', ExitCode.Usage);
      const { runUp } = await import('./commands/up/up-command.js');
      await runUp({ dataDir: o.dataDir, port: o.port, demo: o.demo, json: o.json, projectDir: o.repo });
    });

  common(program.command('engine').description('run only the local Step Functions engine'))
    .option('--port <port>', 'port to listen on', port)
    .option('--functions <map.json>', 'function name to module map for Lambda tasks')
    .action(async (o) => {
      const { runEngineCommand } = await import('../runtime/server/index.js');
      const engine = await runEngineCommand({ port: o.port, dataDir: o.dataDir, functions: o.functions });
      await engine.stopped;
    });

  common(program.command('push').description('emit the commit event for HEAD'))
    .option('--repo <dir>', 'the repository (default: the current directory)')
    .option('--repository <name>', "repository name in the event (default: the config's source.repository)")
    .action(async (o) => (await import('./commands/push.js')).pushCommand(o));

  common(
    program
      .command('hook')
      .description('manage the git hook')
      .command('install')
      .description('install a post-commit hook that emits the commit event'),
  )
    .option('--repo <dir>', 'the repository (default: the current directory)')
    .action(async (o) => (await import('./commands/hook.js')).hookInstallCommand(o));

  common(program.command('runs').description('list runs, newest first'))
    .addOption(new Option('--status <status>', 'only runs in this status').argParser((v) => v.toUpperCase()))
    .option('--limit <n>', 'at most this many runs (default 20)')
    .action(async (o) => (await import('./commands/runs.js')).runsCommand(o));

  common(
    program
      .command('show')
      .argument('<run>', 'run number (#42), execution name or ARN')
      .description('the stage timeline with evidence'),
  ).action(async (run, o) => (await import('./commands/show.js')).showCommand(run, o));

  common(
    program
      .command('logs')
      .argument('<run>', 'run number (#42), execution name or ARN')
      .description("the log lines the run's tasks wrote, per environment and stage"),
  )
    .option('--stage <stage>', 'only this stage (deploy, migrate, smoke-test, …)')
    .option('--env <name>', 'only this environment')
    .action(async (run, o) => (await import('./commands/logs.js')).logsCommand(run, o));

  common(
    program
      .command('approve')
      .argument('<run>', 'run number (#42), execution name or ARN')
      .description("approve the run's pending gate"),
  )
    .option('--env <name>', 'the environment, when the run waits in more than one')
    .option('--comment <text>', 'recorded with the decision')
    .option(
      '--as <user>',
      'decide as this user name or e-mail (default: TOLLGATE_USER or the OS user); config identities map names to e-mails',
    )
    .action(async (run, o) => (await import('./commands/decide.js')).decideCommand('approve', run, o));

  common(
    program
      .command('reject')
      .argument('<run>', 'run number (#42), execution name or ARN')
      .description("reject the run's pending gate"),
  )
    .requiredOption('--reason <text>', 'why (recorded in the ledger)')
    .option('--env <name>', 'the environment, when the run waits in more than one')
    .option(
      '--as <user>',
      'decide as this user name or e-mail (default: TOLLGATE_USER or the OS user); config identities map names to e-mails',
    )
    .action(async (run, o) => (await import('./commands/decide.js')).decideCommand('reject', run, o));

  common(
    program.command('envs').description('the release in each environment, since when, approved by whom'),
  ).action(async (o) => (await import('./commands/envs.js')).envsCommand(o));

  common(
    program
      .command('stats')
      .description('DORA measures per environment and stage durations of the last runs'),
  )
    .option('--days <n>', 'the window for the DORA measures, in days (default 90)')
    .option('--runs <n>', 'how many finished runs the stage durations cover (default 20)')
    .action(async (o) => (await import('./commands/stats.js')).statsCommand(o));

  common(
    program
      .command('console')
      .description('where the local console is; with --aws, serve it on loopback against the deployed stack'),
  )
    .option('--port <port>', 'with --aws: port to serve on (default 4700; 0 picks one)', port)
    .option('--repo <dir>', 'with --aws: where tollgate.config.ts is (default: the current directory)')
    .action(async (o) => (await import('./commands/console.js')).consoleCommand(o));

  const db = program.command('db').description("the environments' local databases");
  common(
    db
      .command('url')
      .argument('<env>', 'the environment')
      .description("print the environment's local database URL, password included"),
  )
    .option('--repo <dir>', 'where tollgate.config.ts is (default: the current directory)')
    .action(async (env, o) => (await import('./commands/db.js')).dbUrlCommand(env, o));
  common(
    db
      .command('import')
      .argument('<env>', 'the environment')
      .argument('<file>', 'a file of SQL statements (pg_dump --inserts)')
      .description("run a SQL file in one transaction against the environment's local database"),
  )
    .option('--repo <dir>', 'where tollgate.config.ts is (default: the current directory)')
    .action(async (env, file, o) => (await import('./commands/db.js')).dbImportCommand(env, file, o));

  program
    .command('deploy-stack')
    .description("deploy Tollgate's stack for this repository's config with its aws-cdk CLI")
    .argument('[cdkArgs...]', 'passed on to cdk, after --, e.g. -- --require-approval never')
    .option('--repo <dir>', 'where tollgate.config.ts is (default: the current directory)')
    .option('--stack <name>', 'the stack name (default: TOLLGATE_STACK or Tollgate)')
    .option('--synth-only', 'synthesize the template into cdk.out/ without deploying')
    .option('--json', 'print one JSON document')
    .action(async (cdkArgs, o) =>
      (await import('./commands/deploy-stack.js')).deployStackCommand(cdkArgs, o),
    );

  common(
    program
      .command('releases')
      .description('every release: version, commit, digest, built when, where it runs'),
  ).action(async (o) => (await import('./commands/releases.js')).releasesCommand(o));

  common(
    program
      .command('where')
      .argument('<id>', 'a feature or issue ID, e.g. ORD-12 or #12')
      .description('which environments run a release containing the feature, since when, through which run'),
  ).action(async (id, o) => (await import('./commands/releases.js')).whereCommand(id, o));

  common(
    program
      .command('diff')
      .argument('<a>', 'a release (r12-1a2b3c4) or an environment (the release it runs)')
      .argument('<b>', 'the other one; the diff reads from a to b')
      .description(
        'commits, migration SQL, config and artifact digests between two releases or environments',
      ),
  )
    .option('--repo <dir>', 'where tollgate.config.ts and the commits are (default: the current directory)')
    .action(async (a, b, o) => (await import('./commands/diff.js')).diffCommand(a, b, o));

  common(
    program
      .command('deploy')
      .argument('<release>', 'an existing release, e.g. r12-1a2b3c4 (see tollgate releases)')
      .description(
        'run the pipeline for an existing release into one environment: no build, same checks and gates',
      ),
  )
    .option('--env <name>', 'the environment to deploy into')
    .option('--reason <text>', 'why (recorded in the ledger and shown to approvers)')
    .option('--skip-earlier', 'allow a release that never passed the environments before it (recorded)')
    .option('--as <user>', 'request as this user name or e-mail (default: TOLLGATE_USER or the OS user)')
    .option('--repo <dir>', 'where tollgate.config.ts is (default: the current directory)')
    .action(async (release, o) => (await import('./commands/deploy.js')).deployCommand(release, o));

  common(
    program
      .command('retry')
      .argument('<run>', 'a failed run: number (#42), execution name or ARN')
      .description(
        "run a failed run's release again from the environment it failed in onwards: no build, same checks and gates",
      ),
  )
    .option('--reason <text>', 'why (recorded in the ledger and shown to approvers)')
    .option('--as <user>', 'request as this user name or e-mail (default: TOLLGATE_USER or the OS user)')
    .option('--repo <dir>', 'where tollgate.config.ts is (default: the current directory)')
    .action(async (run, o) => (await import('./commands/retry.js')).retryCommand(run, o));

  common(
    program
      .command('redrive')
      .argument('<run>', 'execution name or ARN')
      .description('restart a failed run from the state that failed'),
  ).action(async (run, o) => (await import('./commands/redrive.js')).redriveCommand(run, o));

  common(
    program.command('down').description('stop the local runtime and every app process it started'),
  ).action(async (o) => (await import('./commands/down.js')).downCommand(o));

  common(program.command('doctor').description('check Node, data directory, port, reflinks, config and AWS'))
    .option('--repo <dir>', 'where tollgate.config.ts is (default: the current directory)')
    .action(async (o) => (await import('./commands/doctor.js')).doctorCommand(o));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  // The SDK's Node-version notice is a multi-line warning on stderr; errors here are one line.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print themselves and exit 0; usage errors were already printed.
      return error.exitCode === 0 ? 0 : ExitCode.Usage;
    }
    process.stderr.write(`tollgate: ${oneLine(error)}\n`);
    return error instanceof CliError ? error.exitCode : ExitCode.Failure;
  }
}
