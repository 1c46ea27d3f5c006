import { type Child, h } from './dom.js';

export interface ConfirmOptions {
  readonly title: string;
  readonly body: Child[];
  /** The confirming button's words: what will happen, e.g. "Roll back to r41-…". */
  readonly confirm: string;
}

/**
 * Asks before an action that starts a run. A modal <dialog>: Escape or Cancel says no, and Cancel
 * has the focus when it opens, so a stray Enter never confirms.
 */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  const yes = h('button', { type: 'button', class: 'primary' }, options.confirm);
  const no = h('button', { type: 'button', autofocus: true }, 'Cancel');
  const dialog = h(
    'dialog',
    { class: 'confirm', 'aria-labelledby': 'confirm-title' },
    h('h2', { id: 'confirm-title' }, options.title),
    ...options.body.map((part) => (typeof part === 'string' ? h('p', {}, part) : part)),
    h('p', { class: 'actions' }, yes, ' ', no),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answer = false;
    yes.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    no.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    dialog.showModal();
  });
}
