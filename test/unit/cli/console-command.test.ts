import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/program.js';

/** `tollgate console` without --aws: where the local console is, or a one-line error. */
describe('tollgate console (local)', () => {
  let dir: string;
  let out: string[];
  let err: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-console-cmd-'));
    vi.stubEnv('TOLLGATE_ENDPOINT', '');
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    process.exitCode = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('says no runtime is running, in one line with exit 3, and creates nothing', async () => {
    // Act
    const code = await main(['console', '--data-dir', dir]);
    // Assert
    expect(code).toBe(3);
    expect(err.join('')).toBe(
      'tollgate: no Tollgate runtime at http://127.0.0.1:4600; start it with `npx tollgate up`\n',
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('prints the console URL of a named endpoint as JSON', async () => {
    // Act
    const code = await main(['console', '--data-dir', dir, '--endpoint', 'http://127.0.0.1:4999', '--json']);
    // Assert
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual({ url: 'http://127.0.0.1:4999/console' });
  });

  it('refuses a port that is not one, before doing anything', async () => {
    // Act
    const code = await main(['console', '--aws', '--port', 'x']);
    // Assert
    expect(code).toBe(2);
    expect(err.join('')).toContain('--port must be an integer from 0 to 65535, got "x"');
  });
});
