import { isEmailAddress } from '../config/identity-keys.js';
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
function callerAliases(caller: Caller): string[] {
  if (caller.kind === 'local') return [caller.user];
  const user = IAM_USER.exec(caller.arn);
  if (user) return [caller.arn, user[3]];
  const role = ASSUMED_ROLE.exec(caller.arn);
  if (role) return [caller.arn, `arn:${role[1]}:iam::${role[2]}:role/${role[3]}`, role[4]];
  return [caller.arn];
}

/**
 * The config's `identities`: local user names and IAM principal ARNs mapped to e-mail addresses
 * (lower-cased by the schema). People are compared by e-mail, the identity git records for authors.
 */
export type Identities = Readonly<Record<string, string>>;

/**
 * The caller's e-mail identity, if one is known: an alias that is an e-mail (`--as ana@…`, an SSO
 * session name) or an alias `identities` maps. Undefined for an unmapped user name or principal.
 */
export function identityOf(caller: Caller, identities: Identities = {}): string | undefined {
  for (const alias of callerAliases(caller)) {
    if (isEmailAddress(alias)) return alias.toLowerCase();
    const mapped = Object.hasOwn(identities, alias) ? identities[alias] : undefined;
    if (mapped) return mapped.toLowerCase();
  }
  return undefined;
}

/** The e-mail an `approvers` entry stands for: itself when it is one, else its `identities` mapping. */
function entryIdentity(entry: string, identities: Identities): string | undefined {
  if (isEmailAddress(entry)) return entry.toLowerCase();
  const mapped = Object.hasOwn(identities, entry) ? identities[entry] : undefined;
  return mapped?.toLowerCase();
}

/**
 * The `approvers` entry the caller matches, or undefined: by name (case-sensitive, as IAM names
 * are), or by identity, so `ana` mapped to ana.smith@example.com matches an entry
 * `ana.smith@example.com` and the other way round. The first matching entry wins, so one person
 * always matches the same entry (and cannot vote twice under two names).
 */
export function matchApprover(
  caller: Caller,
  approvers: readonly string[],
  identities: Identities = {},
): string | undefined {
  const aliases = callerAliases(caller);
  const identity = identityOf(caller, identities);
  return approvers.find(
    (entry) =>
      aliases.includes(entry) || (identity !== undefined && entryIdentity(entry, identities) === identity),
  );
}

/**
 * Self-approval. When the caller's identity is known it is compared with the author's e-mail, and
 * nothing else: "Ana Smith <ana.smith@example.com>" is the same person as `ana` mapped to that
 * address, and a different `ana` mapped elsewhere is not. When it is not known, any alias equal to
 * the author's name or e-mail counts as the author: that fallback can only refuse, never admit.
 */
export function isCommitAuthor(
  caller: Caller,
  author: { readonly name: string; readonly email: string },
  identities: Identities = {},
): boolean {
  const identity = identityOf(caller, identities);
  const email = author.email.trim().toLowerCase();
  if (identity !== undefined) return identity === email;
  const own = [author.name, email].map((v) => v.trim().toLowerCase()).filter(Boolean);
  return callerAliases(caller).some((alias) => own.includes(alias.toLowerCase()));
}
