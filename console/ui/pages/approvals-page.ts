import { approvalEndWords } from '../../../model/approval-history.js';
import { quorumView } from '../../../model/approval-quorum.js';
import { getJson, postJson } from '../api.js';
import { type Child, clear, h } from '../dom.js';
import { releaseLink, runLink, runNameOf, short, when } from '../format.js';
import type { Json } from '../json.js';
import { onLive } from '../live.js';
import { refreshWaiting } from '../pending.js';

/**
 * The approvals inbox: each pending approval with what would be promoted, what changed since the
 * release now in that environment, and how the release fared before. Deciding goes through the
 * runtime's approvals route, which applies the identity rules; its refusal is shown as it says.
 */
export function approvalsPage(main: HTMLElement): () => void {
  const list = h('div', { class: 'cards' });
  const refusals = h('div');
  const history = h('div');
  const error = h('p', { class: 'error', role: 'alert' });
  // Outside the cards: a decided approval leaves the list, its outcome must stay readable.
  const notice = h('p', { class: 'notice', role: 'status' });
  clear(main);
  main.append(
    h('h1', {}, 'Approvals'),
    h(
      'p',
      { class: 'muted' },
      'Approving lets the run promote this release into the environment. You must be on its approver list, and by default not the commit’s author.',
    ),
    error,
    notice,
    h(
      'section',
      { 'aria-labelledby': 'pending-h' },
      h('h2', { id: 'pending-h' }, 'Waiting for a decision'),
      list,
    ),
    h('section', { 'aria-labelledby': 'history-h' }, h('h2', { id: 'history-h' }, 'Decided'), history),
    h(
      'section',
      { 'aria-labelledby': 'refused-h' },
      h('h2', { id: 'refused-h' }, 'Refused attempts'),
      refusals,
    ),
  );

  const card = (a: Json) => {
    const ev = a.evidence ?? {};
    const comment = h('textarea', { id: `c-${a.id}`, rows: 2, placeholder: 'What did you check?' });
    const result = h('p', { role: 'status', class: 'decision-result' });
    const decide = async (decision: 'approve' | 'reject', button: HTMLButtonElement) => {
      button.disabled = true;
      result.textContent = decision === 'approve' ? 'Approving…' : 'Rejecting…';
      try {
        const answer = await postJson(`/api/approvals/${encodeURIComponent(a.id)}/decision`, {
          decision,
          comment: comment.value,
        });
        if (answer?.outcome === 'refused') result.textContent = `Refused: ${answer.reason}`;
        else {
          // `recorded`: a vote towards a quorum; `decided`: the approval is settled and the run resumes.
          const status = answer?.status ?? answer?.outcome ?? decision;
          notice.textContent = `Recorded: ${status} — ${a.release?.version ?? ''} into ${a.environment}. ${
            status === 'pending' ? 'More approvals are needed.' : 'The run resumes.'
          }`;
          reload();
          void refreshWaiting();
        }
      } catch (e) {
        result.textContent = `Refused: ${(e as Error).message}`;
        void loadRefusals();
      } finally {
        button.disabled = false;
      }
    };
    const approveButton = h(
      'button',
      {
        type: 'button',
        class: 'primary',
        onclick: (e: Event) => decide('approve', e.currentTarget as HTMLButtonElement),
      },
      ev.purpose === 'restore'
        ? `Restore ${a.environment}'s data from the checkpoint`
        : `Approve ${a.release?.version ?? ''} into ${a.environment}`,
    );
    const rejectButton = h(
      'button',
      { type: 'button', onclick: (e: Event) => decide('reject', e.currentTarget as HTMLButtonElement) },
      'Reject',
    );
    const run = runNameOf(a.executionArn);
    if (ev.purpose === 'restore')
      return restoreCard(a, run, [
        comment,
        h('div', { class: 'actions' }, approveButton, rejectButton),
        result,
      ]);
    const current = ev.current;
    const commits = ev.commits?.items ?? [];
    const migrations = ev.migrationsAdded;
    const previous = ev.previousEnvironment;
    return h(
      'article',
      { class: 'card', 'data-approval': a.id, 'aria-labelledby': `t-${a.id}` },
      h('h3', { id: `t-${a.id}` }, `${a.environment}: `, releaseLink(a.release?.version)),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Run'),
        h('dd', {}, run ? runLink(run) : '—'),
        h('dt', {}, 'Commit'),
        h(
          'dd',
          {},
          h('code', {}, short(a.commit?.commit)),
          ` ${a.commit?.message ?? ''} — ${a.commit?.author?.name ?? ''}`,
        ),
        h('dt', {}, 'Now in ' + a.environment),
        h(
          'dd',
          {},
          current ? [releaseLink(current.version), ` since ${when(current.since)}`] : 'nothing yet',
        ),
        h('dt', {}, 'Approvers'),
        h(
          'dd',
          {},
          `${(a.approvers ?? []).join(', ')} (needs ${a.minApprovals ?? 1}${a.allowSelfApproval ? '' : ', not the author'})`,
        ),
        ...quorumFacts(a),
        h('dt', {}, 'Expires'),
        h('dd', {}, when(a.expiresAt)),
      ),
      h(
        'h4',
        {},
        current
          ? `Changes since ${current.version}, which ${a.environment} runs now`
          : `Everything in this release (nothing runs in ${a.environment} yet)`,
      ),
      commits.length
        ? h(
            'ul',
            {},
            ...commits.map((c: Json) =>
              h(
                'li',
                {},
                h('code', {}, short(c.commit)),
                ` ${c.version ?? ''} ${c.message ?? ''} ${c.author ? `— ${c.author}` : ''}`,
              ),
            ),
          )
        : h('p', { class: 'muted' }, ev.commits?.note ?? 'No earlier release to compare with.'),
      ...contentsSection(ev),
      h('h4', {}, current ? `Migrations new to ${a.environment}` : 'Migrations in this release'),
      h(
        'p',
        {},
        migrations?.known
          ? migrations.names.length
            ? migrations.names.join(', ')
            : 'none'
          : (migrations?.note ?? 'unknown'),
      ),
      previous
        ? h(
            'p',
            {},
            `In ${previous.name}: smoke tests ${summarise(previous.smokeTests)}, data checks ${summarise(previous.dataChecks)}.`,
          )
        : null,
      h('label', { for: `c-${a.id}` }, 'Comment'),
      comment,
      h('div', { class: 'actions' }, approveButton, rejectButton),
      result,
    );
  };

  async function load(): Promise<void> {
    try {
      const data = await getJson<Json>('/api/approvals');
      const approvals = Array.isArray(data) ? data : (data.approvals ?? []);
      error.textContent = '';
      clear(list);
      if (approvals.length === 0)
        list.append(h('p', { class: 'muted' }, 'Nothing is waiting for a decision.'));
      for (const a of approvals) list.append(card(a));
    } catch (e) {
      error.textContent = `Could not load approvals: ${(e as Error).message}`;
    }
  }
  async function loadHistory(): Promise<void> {
    try {
      const data = await getJson<Json>('/api/approval-history');
      clear(history);
      history.append(historyTable(data.history));
    } catch (e) {
      history.textContent = `Could not load the decided approvals: ${(e as Error).message}`;
    }
  }
  async function loadRefusals(): Promise<void> {
    try {
      const data = await getJson<Json>('/api/refusals');
      clear(refusals);
      if (data.refusals.length === 0) {
        refusals.append(h('p', { class: 'muted' }, 'No refused attempts.'));
        return;
      }
      refusals.append(
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['When', 'Who', 'Environment', 'Release', 'Reason'].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h(
            'tbody',
            {},
            ...data.refusals.map((r: Json) =>
              h(
                'tr',
                {},
                h('td', {}, when(r.at)),
                h('td', {}, r.actor ?? '—'),
                h('td', {}, r.environment ?? '—'),
                h('td', {}, releaseLink(r.releaseVersion)),
                h('td', {}, r.reason ?? r.code ?? ''),
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      refusals.textContent = `Could not load refusals: ${(e as Error).message}`;
    }
  }

  function summarise(value: unknown): string {
    if (Array.isArray(value)) {
      const failed = value.filter((c: Json) => c && (c.ok === false || c.passed === false)).length;
      return failed ? `${failed} of ${value.length} failed` : `${value.length} passed`;
    }
    if (value && typeof value === 'object' && Array.isArray((value as Json).checks))
      return summarise((value as Json).checks);
    if (value && typeof value === 'object' && Array.isArray((value as Json).evidence))
      return summarise((value as Json).evidence);
    return value === null || value === undefined ? 'not run' : 'recorded';
  }

  const reload = () => {
    void load();
    void loadHistory();
  };
  const off = onLive('run', reload);
  const offPoll = onLive('poll', reload);
  reload();
  void loadRefusals();
  return () => {
    off();
    offPoll();
  };
}

/**
 * A restore approval: asked after a failure past a migration marked breaking, it decides whether
 * the environment's data goes back to the checkpoint; the rows written since would be lost.
 */
function restoreCard(a: Json, run: string | null, decide: Child[]) {
  const r = a.evidence.restore ?? {};
  return h(
    'article',
    { class: 'card', 'data-approval': a.id, 'aria-labelledby': `t-${a.id}` },
    h('h3', { id: `t-${a.id}` }, `${a.environment}: restore the data from the checkpoint?`),
    h(
      'p',
      { class: 'error' },
      `${r.rowsSinceCheckpoint ?? '?'} rows written since the checkpoint would be lost (${r.counted ?? ''}).`,
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Run'),
      h('dd', {}, run ? runLink(run) : '—'),
      h('dt', {}, 'Failed release'),
      h('dd', {}, releaseLink(a.release?.version)),
      h('dt', {}, 'Breaking migrations applied'),
      h('dd', {}, (r.breakingApplied ?? []).join(', ')),
      h('dt', {}, 'Checkpoint'),
      h('dd', {}, `${r.snapshot ?? '?'}, taken ${when(r.takenAt)}`),
      h('dt', {}, 'Rows since, by table'),
      h(
        'dd',
        {},
        Object.entries(r.rowsByTable ?? {})
          .map(([table, n]) => `${table}: ${n}`)
          .join(', ') || 'none',
      ),
      h('dt', {}, 'Expires'),
      h('dd', {}, when(a.expiresAt)),
    ),
    h('label', { for: `c-${a.id}` }, 'Comment'),
    ...decide,
  );
}

/**
 * The commits the release adds over the one the environment runs (`git log prev..new`) with the
 * feature IDs they name, linked when the config gives a tracker link; and, for `tollgate deploy`,
 * who asked for the redeploy and why.
 */
function contentsSection(ev: Json): HTMLElement[] {
  const out: HTMLElement[] = [];
  const redeploy = ev.redeploy;
  if (redeploy)
    out.push(
      h(
        'p',
        { class: 'notice' },
        `Redeploy asked by ${redeploy.requestedBy}${redeploy.reason ? `: ${redeploy.reason}` : ''}`,
        redeploy.notPassed?.length ? ` (never passed ${redeploy.notPassed.join(', ')}: --skip-earlier)` : '',
      ),
    );
  const contents = ev.contents;
  if (!contents) return out;
  out.push(h('h4', {}, 'Commits and features it adds'));
  if (!contents.listed) {
    out.push(h('p', { class: 'muted' }, `Not listed: ${contents.detail ?? 'unknown'}`));
    return out;
  }
  if (contents.features.length)
    out.push(
      h(
        'p',
        {},
        'Features: ',
        ...contents.features.flatMap((f: Json, i: number) => [
          i ? ', ' : '',
          f.link ? h('a', { href: f.link, rel: 'noopener noreferrer' }, f.id) : h('code', {}, f.id),
        ]),
      ),
    );
  out.push(
    contents.commits.length
      ? h(
          'ul',
          {},
          ...contents.commits.map((c: Json) =>
            h('li', {}, h('code', {}, short(c.commit)), ` ${c.subject} — ${c.author}`),
          ),
        )
      : h('p', { class: 'muted' }, 'No commits beyond the release it runs.'),
  );
  return out;
}

/**
 * A quorum under way: who voted what so far, how many approvals it still needs and who can still
 * give them (model/approval-quorum.ts). Shown only when more than one approval is needed or a vote
 * is in, so a plain one-approver gate reads as before.
 */
function quorumFacts(a: Json): HTMLElement[] {
  const q = quorumView({
    approvers: a.approvers ?? [],
    minApprovals: a.minApprovals ?? 1,
    allowSelfApproval: a.allowSelfApproval === true,
    votes: a.votes ?? [],
    commit: a.commit,
  });
  if (q.needed <= 1 && q.votes.length === 0) return [];
  return [
    h('dt', {}, 'Votes so far'),
    h(
      'dd',
      { class: 'quorum' },
      `${q.approvals} of ${q.needed} approvals`,
      q.votes.length
        ? h(
            'ul',
            {},
            ...q.votes.map((v) =>
              h(
                'li',
                {},
                `${v.as}${v.approver !== v.as ? ` (${v.approver})` : ''}: ${v.decision === 'approve' ? 'approved' : 'rejected'} at ${when(v.at)}`,
                v.comment ? ` — “${v.comment}”` : '',
              ),
            ),
          )
        : ' (no votes yet)',
    ),
    h('dt', {}, 'Can still vote'),
    h(
      'dd',
      { class: 'can-vote' },
      q.canStillVote.length ? q.canStillVote.join(', ') : 'nobody else',
      q.stillNeeded ? ` (${q.stillNeeded} more approval${q.stillNeeded === 1 ? '' : 's'} needed)` : '',
      q.author.length ? `; not ${q.author.join(', ')}: the commit’s author` : '',
    ),
  ];
}

/** Approvals that ended, newest first, each saying how: approved, rejected, expired, cancelled, closed. */
function historyTable(items: Json[]): HTMLElement {
  if (items.length === 0) return h('p', { class: 'muted' }, 'No approval has been decided yet.');
  return h(
    'table',
    { class: 'approval-history' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['When', 'Outcome', 'Environment', 'Release', 'Run', 'By', 'Why'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...items.map((item: Json) => {
        const run = runNameOf(item.executionArn);
        return h(
          'tr',
          { 'data-outcome': item.outcome, 'data-approval': item.approvalId },
          h('td', {}, when(item.at)),
          h('td', {}, h('span', { class: `badge s-${item.outcome}` }, approvalEndWords(item.outcome))),
          h('td', {}, item.environment ?? '—'),
          h('td', {}, releaseLink(item.releaseVersion)),
          h('td', {}, run ? runLink(run, run.slice(0, 8)) : '—'),
          h('td', {}, item.actor ?? '—'),
          h('td', {}, item.reason ?? ''),
        );
      }),
    ),
  );
}
