import * as z from 'zod';
import { commitSchema, taskContextSchema } from '../shared/schemas.js';

/** What the ASL hands register-release: the commit and where its build left the tarball. */
export const registerReleaseInputSchema = taskContextSchema
  .extend({
    pipeline: z.string().min(1),
    commit: commitSchema,
    /** Null when the run deploys an existing release (`commit.redeploy`): nothing was built. */
    build: z
      .object({
        /** Staging key where the build left the tarball, e.g. `builds/<commit>/release.tgz`. */
        artifactKey: z.string().min(1),
        imageDigest: z
          .string()
          .regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" and 64 lowercase hex digits')
          .nullish(),
        /** When the build finished (ISO 8601); the registration time when the build did not say. */
        builtAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp' }).nullish(),
      })
      .nullish(),
  })
  .readonly();

export type RegisterReleaseInput = z.output<typeof registerReleaseInputSchema>;
