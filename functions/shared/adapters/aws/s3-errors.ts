/** S3 signals conditional-write outcomes by status code; unmodelled errors carry only a name and a status. */
function status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function named(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

export const isNotFound = (error: unknown) =>
  named(error) === 'NoSuchKey' || named(error) === 'NotFound' || status(error) === 404;

/** If-None-Match: '*' lost: the key already has a current version. */
export const isPreconditionFailed = (error: unknown) =>
  named(error) === 'PreconditionFailed' || status(error) === 412;

/** Another conditional write to the same key was in flight; S3 asks the caller to retry. */
export const isConditionalConflict = (error: unknown) =>
  named(error) === 'ConditionalRequestConflict' || status(error) === 409;
