import * as z from 'zod';
import { parseDuration } from './duration.js';

const timeout = z
  .string()
  .refine((v) => parseDuration(v) !== undefined, {
    message: 'timeout must be a positive duration like "5s" or "1m"',
  })
  .transform((v) => parseDuration(v)!);

/**
 * One HTTP check against a release: the `smokeTests[]` after a deploy, and the checks a
 * post-deployment `verify` window repeats (see test-stage-schema.ts). One schema, so a check reads
 * and behaves the same in both places.
 */
export const smokeTest = z
  .strictObject({
    name: z.string().min(1),
    /** Path under the environment URL, e.g. `/health`. Use `url` for an absolute address instead. */
    path: z
      .string()
      .regex(/^\/[^\s]*$/, 'must start with "/" and contain no spaces')
      .optional(),
    url: z.url({ message: 'must be an absolute http(s) URL' }).optional(),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    expectStatus: z.number().int().min(100).max(599).default(200),
    /** Substring (or `/regex/`) the body must contain. */
    expectBody: z.string().optional(),
    timeout: timeout.default(5),
    retries: z.number().int().min(0).max(10).default(2),
  })
  .refine((t) => (t.path === undefined) !== (t.url === undefined), {
    message: 'set exactly one of "path" (relative to the environment URL) or "url"',
  });
