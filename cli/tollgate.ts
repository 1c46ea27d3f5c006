import { main } from './program.js';

// Idle SDK keep-alive sockets would hold the process open for seconds; stdout/stderr pipes are
// synchronous on Linux and macOS, so exiting here loses no output.
process.exit(await main(process.argv.slice(2)));
