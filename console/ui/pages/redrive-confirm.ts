import { postJson } from '../api.js';
import { h } from '../dom.js';
import type { Json } from '../json.js';

/**
 * Redrive behind a confirmation that says where the run will pick up: the state and its stage,
 * with that state's input; states that succeeded are not run again. When the state is a Fail state
 * the run would fail again at once, and the dialog says that before anyone confirms.
 */
export function redriveControl(run: Json, onDone: (message: string) => void): HTMLElement {
  const from = run.redriveFrom;
  const where = from
    ? `${from.state}${from.stageLabel ? ` (stage ${from.stageLabel})` : ''}`
    : 'the state where it stopped';
  const confirm = h('button', { type: 'button', class: 'primary' }, `Redrive from ${from?.state ?? 'there'}`);
  const cancel = h('button', { type: 'button' }, 'Cancel');
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
          `${from.state} is a Fail state: the pipeline had already recorded the failure, so the run would fail again at once. To run this release again from where it failed, use npx tollgate retry ${run.name}.`,
        )
      : null,
    h('div', { class: 'actions' }, confirm, cancel),
  );
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
