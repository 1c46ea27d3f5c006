// One Lambda "container": a child process that imports a synthesized bundle (cdk.out's
// asset.<hash>/index.mjs, exactly what Lambda would run) once, then answers invocations sent over
// IPC, one at a time, as the Node.js runtime does. Errors come back in the shape Lambda's Invoke
// returns (errorType, errorMessage, trace), which is what Step Functions matches Retry/Catch on.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const [bundle, exportName = 'handler'] = process.argv.slice(2);
const loaded = import(pathToFileURL(bundle).href).then((m) => {
  const fn = m[exportName];
  if (typeof fn !== 'function') throw new Error(`${bundle} exports no function "${exportName}"`);
  return fn;
});

process.on('message', async ({ id, event, timeoutMs }) => {
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
