/**
 * StringMatches: `*` matches any run of characters (including none); `\*` is a literal asterisk
 * and `\\` a literal backslash, per the ASL spec. The whole string must match.
 */
export function matchesPattern(value: string, pattern: string): boolean {
  const parts: string[] = [];
  let literal = '';
  for (let position = 0; position < pattern.length; position++) {
    const char = pattern[position];
    if (char === '\\' && (pattern[position + 1] === '*' || pattern[position + 1] === '\\')) {
      literal += pattern[++position];
    } else if (char === '*') {
      parts.push(escapeRegExp(literal), '[\\s\\S]*');
      literal = '';
    } else {
      literal += char;
    }
  }
  parts.push(escapeRegExp(literal));
  return new RegExp(`^${parts.join('')}$`, 'u').test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
