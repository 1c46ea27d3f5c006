/**
 * What may name a person in the config's `identities` map and `approvers` lists. Kept apart from
 * the schema so approvals/identity.ts (which matches callers) and the schema agree on what an
 * e-mail address is.
 */
// No '/' or ':' in the local part: an assumed-role ARN ending in an e-mail session name is not an e-mail.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
const LOCAL_USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
const IAM_PRINCIPAL =
  /^arn:aws[a-z-]*:(?:iam::\d{12}:(?:user|role)\/(?:[^/\s]+\/)*[^/\s]+|sts::\d{12}:assumed-role\/[^/\s]+\/[^/\s]+)$/;

export function isEmailAddress(value: string): boolean {
  return EMAIL.test(value);
}

/** Why `key` cannot be an `identities` key, or undefined when it can. */
export function identityKeyProblem(key: string): string | undefined {
  if (LOCAL_USER.test(key) || IAM_PRINCIPAL.test(key)) return undefined;
  if (EMAIL.test(key))
    return `"${key}" is already an e-mail identity; map user names and IAM principal ARNs only`;
  if (key.startsWith('arn:'))
    return `"${key}" is not an IAM principal ARN (arn:aws:iam::123456789012:user/ana, …:role/name or arn:aws:sts::123456789012:assumed-role/role/session)`;
  return `"${key}" is not a local user name (letters, digits, ".", "_", "-"; at most 64) or an IAM principal ARN`;
}
