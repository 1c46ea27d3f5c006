import * as z from 'zod';

/** Shapes every task input shares; each task's schema extends these. */
export const commitSchema = z.object({
  repository: z.string().min(1),
  branch: z.string().min(1),
  commit: z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-character lowercase hex commit id'),
  parents: z.array(z.string()).default([]),
  author: z.object({ name: z.string(), email: z.string() }),
  message: z.string().default(''),
  timestamp: z.string().min(1),
  /** The GitHub webhook's attestation (source/attestation.ts); plan-run checks it for GitHub sources. */
  attestation: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** Set by `tollgate deploy`: the run deploys this existing release instead of building the commit. */
  redeploy: z
    .object({
      release: z.string().min(1),
      environment: z.string().min(1),
      reason: z.string().default(''),
      skipEarlier: z.boolean().default(false),
      requestedBy: z.string().min(1),
      /** Set by `tollgate retry`: the failed run this one retries; it walks on past the environment. */
      retryOf: z.string().min(1).max(80).optional(),
    })
    .optional(),
});

export const taskContextSchema = z.object({
  executionArn: z.string().min(1),
  stateName: z.string().min(1),
});

export const releaseRefSchema = z.object({
  version: z.string().min(1),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  artifactKey: z.string().min(1),
  commit: z.string(),
  imageDigest: z.string().optional(),
});
