// One Lambda "container": a child process that imports a synthesized bundle (cdk.out's
// asset.<hash>/index.mjs, exactly what Lambda would run) once, then answers invocations sent over
// IPC, one at a time, as the Node.js runtime does. Errors come back in the shape Lambda's Invoke
// returns (errorType, errorMessage, trace), which is what Step Functions matches Retry/Catch on.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

// The engine's clock runs ahead of the wall clock by the waits it skipped (compressed-clock.ts).
// Each invocation carries that offset and the function reads the time its state machine does
// ($$.Execution.StartTime, a Wait's end), as Lambda and Step Functions share one clock on AWS.
let clockOffsetMs = 0;
const RealDate = Date;
globalThis.Date = class ShiftedDate extends RealDate {
  constructor(...args) {
    super(...(args.length ? args : [RealDate.now() + clockOffsetMs]));
  }
  static now() {
    return RealDate.now() + clockOffsetMs;
  }
};

const [bundle, exportName = 'handler'] = process.argv.slice(2);
const loaded = import(pathToFileURL(bundle).href).then((m) => {
  const fn = m[exportName];
  if (typeof fn !== 'function') throw new Error(`${bundle} exports no function "${exportName}"`);
  return fn;
});

process.on('message', async ({ id, event, timeoutMs, offsetMs }) => {
  clockOffsetMs = offsetMs ?? 0;
  const deadline = Date.now() + timeoutMs;
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: process.env.TOLLGATE_REHEARSAL_FUNCTION_ARN,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logStreamName: 'rehearsal',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const handler = await loaded;
    const result = await handler(event, context);
    process.send({ id, result: result === undefined ? null : result });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    process.send({
      id,
      error: {
        errorType: e.name || 'Error',
        errorMessage: e.message,
        trace: String(e.stack ?? '').split('\n'),
      },
    });
  }
});
