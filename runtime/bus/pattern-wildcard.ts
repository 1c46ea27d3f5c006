import type { PathSegment } from './pattern-model.js';
import { invalid } from './pattern-model.js';

/**
 * Compiles an EventBridge wildcard to an anchored RegExp. `*` matches any run of characters
 * (including none); `\*` and `\\` are the only escapes; `**` is refused. Positions in the messages
 * count UTF-8 bytes from 1, as event-ruler does (it parses the value with its opening quote).
 */
export function compileWildcard(text: string, path: readonly PathSegment[]): RegExp {
  let source = '';
  let bytePos = 1;
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') {
      if (chars[i + 1] === '*') invalid(`Consecutive wildcard characters at pos ${bytePos}`, path);
      source += '.*';
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next !== '*' && next !== '\\') invalid(`Invalid escape character at pos ${bytePos}`, path);
      source += escapeRegExp(next);
      bytePos += 1;
      i++;
    } else {
      source += escapeRegExp(ch);
    }
    bytePos += Buffer.byteLength(ch);
  }
  // `s`: event values may contain newlines, which `*` must cross.
  return new RegExp(`^${source}$`, 'su');
}

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}
