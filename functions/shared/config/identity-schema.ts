import * as z from 'zod';
import { identityKeyProblem, isEmailAddress } from './identity-keys.js';

/** A local user name, an IAM principal ARN, or an e-mail address (an identity by itself). */
export const approver = z
  .string()
  .min(1)
  .refine((entry) => !entry.includes('@') || isEmailAddress(entry), {
    message: 'an approver with "@" must be an e-mail address like ana.smith@example.com',
  });

/** Local user names and IAM principal ARNs mapped to the e-mail address that is their identity. */
export const identities = z
  .record(
    z.string().superRefine((key, ctx) => {
      const problem = identityKeyProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    z
      .string()
      .refine(isEmailAddress, { message: 'must be an e-mail address like ana.smith@example.com' })
      .transform((email) => email.toLowerCase()),
  )
  .default({});

/** Two approvers entries that stand for one e-mail identity, with it; quorum counts people. */
export function duplicateIdentity(
  approvers: readonly string[],
  map: Readonly<Record<string, string>>,
): [string, string, string] | undefined {
  const seen = new Map<string, string>();
  for (const entry of approvers) {
    const identity = isEmailAddress(entry)
      ? entry.toLowerCase()
      : Object.hasOwn(map, entry)
        ? map[entry]
        : undefined;
    if (identity === undefined) continue;
    const first = seen.get(identity);
    if (first !== undefined) return [first, entry, identity];
    seen.set(identity, entry);
  }
  return undefined;
}
