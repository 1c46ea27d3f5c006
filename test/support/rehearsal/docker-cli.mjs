// The `docker` client on a rehearsal build's PATH (see docker-daemon.ts for what the engine models):
// like the real client it holds no images itself. It sends its arguments, working directory, stdin
// (for `login --password-stdin`) and client settings to the daemon at DOCKER_HOST, prints what the
// daemon answers and exits with its code. Plain JavaScript with no imports beyond node:, so each
// call starts in tens of milliseconds.
const host = process.env.DOCKER_HOST ?? '';
if (!host.startsWith('tcp://')) {
  console.error('docker: DOCKER_HOST must name the rehearsal Docker daemon (tcp://127.0.0.1:<port>)');
  process.exit(1);
}
const args = process.argv.slice(2);
let stdin = '';
if (args.includes('--password-stdin')) for await (const chunk of process.stdin) stdin += chunk;
const env = {};
for (const name of [
  'DOCKER_CONFIG',
  'HOME',
  'AWS_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
])
  env[name] = process.env[name];
try {
  const reply = await fetch(`http://${host.slice('tcp://'.length)}/run`, {
    method: 'POST',
    body: JSON.stringify({ args, cwd: process.cwd(), stdin, env }),
  }).then((r) => r.json());
  process.stdout.write(reply.stdout);
  process.stderr.write(reply.stderr);
  process.exit(reply.code);
} catch (error) {
  console.error(`Cannot connect to the Docker daemon at ${host}: ${error.message}`);
  process.exit(1);
}
