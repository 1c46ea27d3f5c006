import sql from '@speed-highlight/core/languages/sql.js';
import { tokenizeWith } from '@speed-highlight/core/tokenize';
import { h } from './dom.js';

/**
 * SQL as a <pre> of text nodes and classed spans (`tok-kwd`, `tok-str`, `tok-cmnt`…), from
 * speed-highlight's tokenizer: no HTML is parsed and no inline style set, so the console's CSP and
 * its "data is text" rule both hold.
 */
export function highlightedSql(text: string): HTMLElement {
  const code = h('code', { class: 'sql' });
  tokenizeWith(text, sql, (part, type) => {
    if (part === '') return;
    code.append(type ? h('span', { class: `tok-${type}` }, part) : part);
  });
  return h('pre', { class: 'sql' }, code);
}
