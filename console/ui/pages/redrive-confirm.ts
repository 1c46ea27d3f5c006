import { postJson } from '../api.js';
import { h } from '../dom.js';
import type { Json } from '../json.js';

/**
 * Redrive behind a confirmation that says where the run will pick up: the state and its stage,
 * with that state's input; states that succeeded are not run again. When the state is a Fail state
 * the run would fail again at once: the dialog says so before anyone confirms, and offers a retry
 * (a new run of the release from the environment it failed in onwards) first.
 */
export function redriveControl(run: Json, onDone: (message: string) => void): HTMLElement {
  const from = run.redriveFrom;
  const where = from
    ? `${from.state}${from.stageLabel ? ` (stage ${from.stageLabel})` : ''}`
    : 'the state where it stopped';
  const confirm = h('button', { type: 'button', class: 'primary' }, `Redrive from ${from?.state ?? 'there'}`);
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const retry = h('button', { type: 'button', class: 'primary' }, 'Retry from where it failed');
  const dialog = h(
    'dialog',
    { class: 'confirm', 'aria-labelledby': 'redrive-h' },
    h('h2', { id: 'redrive-h' }, `Redrive run ${run.name}?`),
    h(
      'p',
      {},
      `It resumes at ${where}, with the input that state had. States that succeeded are not run again; the release stays the same.`,
    ),
    from?.failsAgain
      ? h(
          'p',
          { class: 'error' },
          `${from.state} is a Fail state: the pipeline had already recorded the failure, so the run would fail again at once. Retry instead: a new run of this release from the environment it failed in onwards (npx tollgate retry ${run.name}).`,
        )
      : null,
    h('div', { class: 'actions' }, ...(from?.failsAgain ? [retry] : []), confirm, cancel),
  );
  retry.addEventListener('click', async () => {
    retry.disabled = true;
    try {
      const started = (await postJson(`/api/runs/${encodeURIComponent(run.name)}/retry`, {})) as Json;
      dialog.close();
      onDone(`Retry started: run ${started.run} takes ${started.release} from ${started.from} onwards.`);
    } catch (err) {
      dialog.close();
      onDone(`Retry refused: ${(err as Error).message}`);
    } finally {
      retry.disabled = false;
    }
  });
  cancel.addEventListener('click', () => dialog.close());
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      await postJson(`/api/runs/${encodeURIComponent(run.name)}/redrive`, {});
      dialog.close();
      onDone(`Redriven: the run continues from ${where}.`);
    } catch (err) {
      dialog.close();
      onDone(`Redrive refused: ${(err as Error).message}`);
    } finally {
      confirm.disabled = false;
    }
  });
  const open = h(
    'button',
    { type: 'button', 'aria-haspopup': 'dialog', onclick: () => dialog.showModal() },
    'Redrive…',
  );
  return h('div', { class: 'redrive' }, open, dialog);
}
