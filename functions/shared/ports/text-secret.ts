/**
 * A text secret the function reads when it needs it (the push webhook's shared secret): the
 * webhook verifies GitHub's signatures with it and plan-run checks the webhook's commit
 * attestations with it. On AWS it is Secrets Manager behind a short cache (CachedSecret); a test
 * or a local run passes the text itself.
 */
export interface TextSecret {
  get(): Promise<string>;
}
