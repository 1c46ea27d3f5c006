#!/usr/bin/env node
// Real traffic for the canary scenario: GET requests at a steady rate against an environment's
// proxy until stopped (Ctrl-C / SIGTERM), then one JSON line with what it saw. A canary's analysis
// judges the requests the proxy routed to it, so without traffic there is nothing to judge.
//
//   node examples/orders-service/scenarios/load-generator.mjs --url http://127.0.0.1:4703/orders --rps 50
import { parseArgs } from 'node:util';

function options(argv) {
  const { values } = parseArgs({
    args: argv,
    options: { url: { type: 'string' }, rps: { type: 'string', default: '50' } },
    strict: true,
  });
  let url;
  try {
    url = new URL(values.url ?? '');
  } catch {
    throw new Error('--url must be an absolute http(s) URL, e.g. http://127.0.0.1:4703/orders');
  }
  const rps = Number(values.rps);
  if (!Number.isInteger(rps) || rps < 1 || rps > 1000)
    throw new Error('--rps must be an integer from 1 to 1000');
  return { url, rps };
}

function main() {
  const { url, rps } = options(process.argv.slice(2));
  const seen = { requests: 0, byStatus: {}, connectionErrors: 0, errorKinds: {} };
  // One request every 1000/rps ms, never waiting on the previous one: a slow release must not
  // lower the rate it is judged at.
  const timer = setInterval(() => {
    seen.requests += 1;
    // 30 s, not less: the local proxy shares `tollgate up`'s event loop with the databases, so on a
    // loaded machine a refresh elsewhere can hold an answer back for seconds without losing it.
    fetch(url, { signal: AbortSignal.timeout(30_000) })
      .then(async (res) => {
        await res.arrayBuffer();
        seen.byStatus[res.status] = (seen.byStatus[res.status] ?? 0) + 1;
      })
      .catch((error) => {
        seen.connectionErrors += 1;
        // What went wrong, by kind (a reset, a refused connection, our own 5 s timeout), so a
        // failed scenario says which.
        const kind = error?.cause?.code ?? error?.name ?? 'unknown';
        seen.errorKinds[kind] = (seen.errorKinds[kind] ?? 0) + 1;
      });
  }, 1000 / rps);
  const stop = () => {
    clearInterval(timer);
    // The summary counts the requests answered so far; those still in flight are left out.
    setTimeout(() => {
      console.log(JSON.stringify(seen));
      process.exit(0);
    }, 200);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

try {
  main();
} catch (error) {
  console.error(`load-generator: ${error.message}`);
  process.exitCode = 1;
}
