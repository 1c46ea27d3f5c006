/**
 * The result of `arn:aws:states:::lambda:invoke`, shaped as AWS returns it: the Invoke response
 * plus the SDK's HTTP metadata.
 */
export function lambdaInvokeOutput(payload: unknown, requestId: string, now: Date): Record<string, unknown> {
  const body = JSON.stringify(payload === undefined ? null : payload);
  const length = String(Buffer.byteLength(body, 'utf8'));
  const date = now.toUTCString();
  const traceId = `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${requestId.replace(/-/g, '').slice(0, 24)};Sampled=0`;
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload === undefined ? null : payload,
    SdkHttpMetadata: {
      AllHttpHeaders: {
        'X-Amz-Executed-Version': ['$LATEST'],
        'x-amzn-Remapped-Content-Length': ['0'],
        Connection: ['keep-alive'],
        'x-amzn-RequestId': [requestId],
        'Content-Length': [length],
        Date: [date],
        'X-Amzn-Trace-Id': [traceId],
        'Content-Type': ['application/json'],
      },
      HttpHeaders: {
        Connection: 'keep-alive',
        'Content-Length': length,
        'Content-Type': 'application/json',
        Date: date,
        'X-Amz-Executed-Version': '$LATEST',
        'x-amzn-Remapped-Content-Length': '0',
        'x-amzn-RequestId': requestId,
        'X-Amzn-Trace-Id': traceId,
      },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

/** Lambda accepts a name, a partial ARN or a full ARN; Step Functions reports the full one. */
export function qualifyFunctionArn(nameOrArn: string, region: string, accountId: string): string {
  if (nameOrArn.startsWith('arn:')) return nameOrArn;
  const parts = nameOrArn.split(':');
  if (parts.length >= 3 && parts[1] === 'function') {
    return `arn:aws:lambda:${region}:${parts[0]}:function:${parts.slice(2).join(':')}`;
  }
  return `arn:aws:lambda:${region}:${accountId}:function:${nameOrArn}`;
}

/** The cause text AWS gives when Invoke returns 404. */
export function functionNotFoundCause(functionArn: string, requestId: string): string {
  const qualified = /:function:[^:]+$/.test(functionArn) ? `${functionArn}:$LATEST` : functionArn;
  return `Function not found: ${qualified} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: ${requestId}; Proxy: null)`;
}
