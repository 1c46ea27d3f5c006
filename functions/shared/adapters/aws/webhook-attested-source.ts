import type {
  CommitRange,
  SourceCommit,
  SourceRepository,
  SourceVerdict,
} from '../../ports/source-repository.js';
import type { TextSecret } from '../../ports/text-secret.js';
import { verifyCommitAttestation } from '../../source/attestation.js';

/** Where the webhook's shared secret comes from (Secrets Manager on AWS, cached). */
/**
 * GitHub source: nothing in AWS can ask GitHub whether a commit exists (a CodeConnections
 * connection serves CodeBuild, not Lambda), but every genuine GitHub commit reaches the bus through
 * the webhook, which attests it after verifying GitHub's signature. So the commit is vouched for
 * exactly when its attestation verifies. Needs read access to the webhook secret.
 */
export class WebhookAttestedSource implements SourceRepository {
  constructor(private readonly secret: TextSecret) {}

  async vouchFor(commit: SourceCommit): Promise<SourceVerdict> {
    if (verifyCommitAttestation(await this.secret.get(), commit, commit.attestation)) return { known: true };
    return {
      known: false,
      detail: `commit ${commit.commit} did not come through the GitHub webhook (${commit.attestation ? 'its attestation does not verify' : 'no attestation'}); push it to GitHub to start a run`,
    };
  }

  /**
   * Not listed: the functions hold no GitHub credential (the connection serves CodeBuild only).
   * Possible later: GitHub's compare API (`GET /repos/{owner}/{repo}/compare/{base}...{head}`)
   * with a token secret, or the push webhook's own `commits` array kept per push.
   */
  async commitsBetween(): Promise<CommitRange> {
    return {
      listed: false,
      detail:
        'GitHub source: the functions cannot read GitHub history (the CodeConnections connection serves CodeBuild only), so the commits between releases are not listed',
    };
  }
}
