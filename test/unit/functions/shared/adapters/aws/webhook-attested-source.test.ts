import { describe, expect, it } from 'vitest';
import { WebhookAttestedSource } from '../../../../../../functions/shared/adapters/aws/webhook-attested-source.js';
import { attestCommit } from '../../../../../../functions/shared/source/attestation.js';

const SECRET = 'whsec-test-0123456789';
const commit = { repository: 'orders-service', branch: 'main', commit: 'a'.repeat(40) };
const source = new WebhookAttestedSource({ get: async () => SECRET });

describe('WebhookAttestedSource (GitHub sources)', () => {
  it('vouches for a commit the webhook attested', async () => {
    expect(await source.vouchFor({ ...commit, attestation: attestCommit(SECRET, commit) })).toEqual({
      known: true,
    });
  });

  it('refuses an event without an attestation, as anyone with PutEvents on the bus could put', async () => {
    expect(await source.vouchFor(commit)).toEqual({
      known: false,
      detail: `commit ${commit.commit} did not come through the GitHub webhook (no attestation); push it to GitHub to start a run`,
    });
  });

  it.each([
    ['another secret', attestCommit('guessed', commit)],
    ['another branch', attestCommit(SECRET, { ...commit, branch: 'release' })],
    ['another commit', attestCommit(SECRET, { ...commit, commit: 'b'.repeat(40) })],
    ['a malformed value', 'not-hex'],
  ])('refuses an attestation made with %s', async (_what, attestation) => {
    const verdict = await source.vouchFor({ ...commit, attestation });
    expect(verdict).toMatchObject({
      known: false,
      detail: expect.stringMatching(/(does not verify|no attestation)/),
    });
  });

  it('says it cannot list the commits between releases instead of guessing', async () => {
    expect(await source.commitsBetween()).toMatchObject({
      listed: false,
      detail: expect.stringMatching(/^GitHub source: .*not listed$/),
    });
  });
});
