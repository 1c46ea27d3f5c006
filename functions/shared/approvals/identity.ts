import { InvalidInputError } from '../errors.js';

/**
 * Who is deciding. On AWS it comes from the function URL's SigV4-verified request context, never
 * from the request body; locally the runtime passes the user it runs as.
 */
export type Caller =
  | { readonly kind: 'iam'; readonly arn: string }
  | { readonly kind: 'local'; readonly user: string };

const IAM_USER = /^arn:(aws[a-z-]*):iam::(\d{12}):user\/(?:[^/]+\/)*([^/]+)$/;
const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/;
const ANY_PRINCIPAL = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/;

export function assertCaller(caller: unknown): asserts caller is Caller {
  const c = caller as Partial<{ kind: string; arn: unknown; user: unknown }> | undefined;
  if (c?.kind === 'iam' && typeof c.arn === 'string' && ANY_PRINCIPAL.test(c.arn)) return;
  if (c?.kind === 'local' && typeof c.user === 'string' && /^\S{1,256}$/.test(c.user)) return;
  throw new InvalidInputError('caller must be an IAM principal ARN or a local user name');
}

/** The identity recorded in votes and the ledger. */
export function principalOf(caller: Caller): string {
  return caller.kind === 'iam' ? caller.arn : caller.user;
}

/**
 * Every name the caller may be listed under in `approvers`: the principal ARN; for an IAM user its
 * user name; for an assumed role the role's ARN (so listing a role admits whoever assumes it) and
 * the session name (SSO puts the person's user name or e-mail there). A bare role name is NOT an
 * alias: it would admit everyone who can assume the role while reading like one person.
 */
export function callerAliases(caller: Caller): string[] {
  if (caller.kind === 'local') return [caller.user];
  const user = IAM_USER.exec(caller.arn);
  if (user) return [caller.arn, user[3]];
  const role = ASSUMED_ROLE.exec(caller.arn);
  if (role) return [caller.arn, `arn:${role[1]}:iam::${role[2]}:role/${role[3]}`, role[4]];
  return [caller.arn];
}

/** The `approvers` entry the caller matches (case-sensitive, as IAM names are), or undefined. */
export function matchApprover(caller: Caller, approvers: readonly string[]): string | undefined {
  const aliases = callerAliases(caller);
  return approvers.find((entry) => aliases.includes(entry));
}

/** Self-approval: any alias equals the commit author's name or e-mail (compared case-insensitively). */
export function isCommitAuthor(
  caller: Caller,
  author: { readonly name: string; readonly email: string },
): boolean {
  const own = [author.name, author.email].map((v) => v.trim().toLowerCase()).filter(Boolean);
  return callerAliases(caller).some((alias) => own.includes(alias.toLowerCase()));
}
