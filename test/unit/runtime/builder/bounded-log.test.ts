import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BoundedLog } from '../../../../runtime/builder/bounded-log.js';

describe('BoundedLog lines', () => {
  it('keeps stdout and stderr lines apart when one stream writes between the halves of the other’s line or character', async () => {
    // Arrange
    const file = join(mkdtempSync(join(tmpdir(), 'tollgate-bounded-log-')), 'build.log');
    const lines: string[] = [];
    const log = new BoundedLog(file, {}, (line) => lines.push(line));
    // Act: "warn|ing" and "é" (0xC3 0xA9) split on stdout, with stderr output between the halves
    log.write(Buffer.from('warn'), 'stdout');
    log.write(Buffer.from('deprecated: --old-flag\n'), 'stderr');
    log.write(Buffer.from('ing: unused import\n\xc3', 'latin1'), 'stdout');
    log.write(Buffer.from('\xc3', 'latin1'), 'stderr');
    log.write(Buffer.from('\xa9t\n', 'latin1'), 'stdout');
    log.write(Buffer.from('\xa9 on stderr', 'latin1'), 'stderr');
    await log.close();
    // Assert: whole lines, each from its own stream; the unfinished stderr line comes out at the end
    expect(lines).toEqual(['deprecated: --old-flag', 'warning: unused import', 'ét', 'é on stderr']);
    // The file keeps the bytes as they came, as a terminal would show them
    expect(readFileSync(file).length).toBe(4 + 23 + 20 + 1 + 3 + 11);
  });
});
