import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig, parseConfig, parseDuration } from '../../../../../functions/shared/config/index.js';
import { ConfigError } from '../../../../../functions/shared/errors.js';
import { validConfig } from '../../../../support/config-fixtures.js';

function problems(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConfig', () => {
  it('returns defaults filled in and durations in seconds when the config is valid', () => {
    // Arrange
    const raw = validConfig({ concurrency: { mode: 'superseded', lease: '2h' } });
    // Act
    const config = parseConfig(raw);
    // Assert
    expect(config.concurrency).toEqual({
      mode: 'superseded',
      lease: 7200,
      maxWait: 86_400,
      pollInterval: 21_600,
    });
    expect(config.environments[0]!.deployTimeout).toBe(600);
    expect(config.environments[0]!.strategy).toEqual({ type: 'all-at-once' });
    expect(config.smokeTests[0]).toMatchObject({ method: 'GET', expectStatus: 200, timeout: 5, retries: 2 });
  });

  it('returns identities lower-cased and accepts e-mail approvers', () => {
    // Arrange
    const raw = validConfig({
      identities: { ana: 'Ana.Smith@Example.com', 'arn:aws:iam::123456789012:user/ben': 'ben@example.com' },
    });
    raw.environments[1] = { ...raw.environments[1]!, approval: { approvers: ['ana', 'ben@example.com'] } };
    // Act
    const config = parseConfig(raw);
    // Assert
    expect(config.identities).toEqual({
      ana: 'ana.smith@example.com',
      'arn:aws:iam::123456789012:user/ben': 'ben@example.com',
    });
    expect(config.environments[1]!.approval!.approvers).toEqual(['ana', 'ben@example.com']);
  });

  it.each([
    ['a value that is not an e-mail', { ana: 'ana' }, /identities\.ana: must be an e-mail address/],
    ['an e-mail as key', { 'ana@example.com': 'ana@example.com' }, /is already an e-mail identity/],
    [
      'a key that is not an IAM principal ARN',
      { 'arn:aws:s3:::bucket': 'a@example.com' },
      /is not an IAM principal ARN/,
    ],
    ['a key with a space', { 'ana smith': 'a@example.com' }, /is not a local user name/],
  ])('rejects identities with %s in one line', (_what, identities, message) => {
    expect(problems(validConfig({ identities }))).toMatch(message);
  });

  it('rejects an approver with "@" that is not an e-mail address', () => {
    const raw = validConfig();
    raw.environments[1] = { ...raw.environments[1]!, approval: { approvers: ['ana@'] } };
    expect(problems(raw)).toContain(
      'environments[1].approval.approvers[0]: an approver with "@" must be an e-mail',
    );
  });

  it('rejects two approvers entries that are the same person through identities', () => {
    const raw = validConfig({ identities: { ana: 'ana.smith@example.com' } });
    raw.environments[1] = {
      ...raw.environments[1]!,
      approval: { approvers: ['ana', 'Ana.Smith@example.com'], minApprovals: 2 },
    };
    expect(problems(raw)).toContain(
      'environments[1].approval.approvers: "ana" and "Ana.Smith@example.com" are the same person (ana.smith@example.com)',
    );
  });

  it('returns snapshot retention and the disk budget in seconds and bytes', () => {
    // Act
    const config = parseConfig(
      validConfig({
        database: { engine: 'postgres', source: 'prod', snapshots: { keep: 5, maxAge: '3d' } },
        runtime: { diskBudget: '1.5GB' },
      }),
    );
    // Assert
    expect(config.database!.snapshots).toEqual({ keep: 5, maxAge: 3 * 86_400 });
    expect(config.runtime.diskBudget).toBe(1.5 * 1024 ** 3);
    expect(
      parseConfig(validConfig({ database: { engine: 'postgres', source: 'prod' } })).database!.snapshots,
    ).toEqual({
      keep: 3,
      maxAge: 7 * 86_400,
    });
  });

  it.each([
    [
      { database: { engine: 'postgres', source: 'prod', snapshots: { keep: 0 } } },
      /database\.snapshots\.keep: /,
    ],
    [
      { database: { engine: 'postgres', source: 'prod', snapshots: { maxAge: '7' } } },
      /database\.snapshots\.maxAge: database\.snapshots\.maxAge must be a positive duration/,
    ],
    [
      { runtime: { diskBudget: '20G' } },
      /runtime\.diskBudget: runtime\.diskBudget must be a size like "500MB", "20GB" or "1\.5TB"/,
    ],
    [{ runtime: { diskBudget: 1000 } }, /runtime\.diskBudget: /],
  ])('rejects bad retention or budget %j in one line', (overrides, message) => {
    expect(problems(validConfig(overrides as never))).toMatch(message);
  });

  it('names the path and the fix when a key is unknown', () => {
    const message = problems(
      validConfig({ source: { repository: 'r', branches: ['main'], brnch: 'x' } as never }),
    );
    expect(message).toContain('source: unknown key(s) "brnch"');
    expect(message).toContain('check the spelling');
  });

  it('names the missing field when a required field is absent', () => {
    const message = problems(validConfig({ build: { command: 'make' } as never }));
    expect(message).toContain('build.artifact: missing required field');
  });

  it('rejects a duration without a unit', () => {
    const raw = validConfig();
    raw.environments[0] = { ...raw.environments[0]!, deployTimeout: '600' };
    expect(problems(raw)).toContain(
      'environments[0].deployTimeout: deployTimeout must be a positive duration',
    );
  });

  it('rejects duplicate environment names, pointing at both', () => {
    const raw = validConfig();
    raw.environments[1] = { ...raw.environments[1]!, name: 'test' };
    expect(problems(raw)).toContain(
      'environments[1].name: duplicate environment name "test" (also at environments[0])',
    );
  });

  it('rejects an empty environment list with an example of the fix', () => {
    expect(problems(validConfig({ environments: [] }))).toContain(
      'environments: add at least one environment',
    );
  });

  it('rejects a smoke test whose path does not start with "/"', () => {
    const message = problems(validConfig({ smokeTests: [{ name: 'h', path: 'health' }] }));
    expect(message).toContain('smokeTests[0].path: must start with "/"');
  });

  it('rejects a smoke test with an invalid URL', () => {
    const message = problems(validConfig({ smokeTests: [{ name: 'h', url: 'not a url' }] }));
    expect(message).toContain('smokeTests[0].url');
  });

  it('rejects a smoke test with both a path and a URL', () => {
    const message = problems(
      validConfig({ smokeTests: [{ name: 'h', path: '/h', url: 'http://x.test/h' }] }),
    );
    expect(message).toContain('set exactly one of "path"');
  });

  it('rejects an unsupported database provider and lists the supported ones', () => {
    const message = problems(
      validConfig({ database: { engine: 'postgres', provider: { type: 'ceph' } as never, source: 'prod' } }),
    );
    expect(message).toMatch(/database\.provider\.type: .*local.*flasharray.*aurora-clone/);
  });

  it('rejects an unsupported database engine', () => {
    const message = problems(validConfig({ database: { engine: 'mysql' as never } }));
    expect(message).toContain('database.engine: only "postgres" is supported');
  });

  it('reports every problem at once rather than the first only', () => {
    const raw = validConfig({ environments: [], smokeTests: [{ name: 'h', path: 'x' }], bogus: 1 } as never);
    const message = problems(raw);
    expect(message).toContain('environments:');
    expect(message).toContain('smokeTests[0].path');
    expect(message).toContain('unknown key(s) "bogus"');
  });

  it('rejects two environments on one port', () => {
    const raw = validConfig();
    raw.environments[1] = { name: 'prod', deploy: { type: 'process', command: 'x', port: 4701 } };
    expect(problems(raw)).toContain('port 4701 is already used by environment "test"');
  });

  it('rejects a refresh without a database block', () => {
    const raw = validConfig();
    raw.environments[0] = { ...raw.environments[0]!, database: { refresh: true } };
    expect(problems(raw)).toContain(
      'environments[0].database.refresh: refresh needs a top-level "database" block',
    );
  });

  it('rejects a quorum larger than the approver list', () => {
    const raw = validConfig();
    raw.environments[1] = { ...raw.environments[1]!, approval: { approvers: ['ana'], minApprovals: 2 } };
    expect(problems(raw)).toContain('minApprovals (2) exceeds the number of approvers (1)');
  });
});

describe('parseDuration', () => {
  it('returns seconds for every unit and undefined for anything else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('s', 'm', 'h', 'd'), (n, unit) => {
        const factor = { s: 1, m: 60, h: 3600, d: 86_400 }[unit];
        expect(parseDuration(`${n}${unit}`)).toBe(n * factor);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!/^\d+[smhd]$/.test(text));
        expect(parseDuration(text)).toBeUndefined();
      }),
    );
    expect(parseDuration('0s')).toBeUndefined();
  });
});

describe('loadConfig', () => {
  it('loads and validates a tollgate.config.ts from a directory', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    writeFileSync(join(dir, 'tollgate.config.ts'), `export default ${JSON.stringify(validConfig())};\n`);
    // Act
    const config = await loadConfig(dir);
    // Assert
    expect(config.name).toBe('orders-service');
  });

  it('says how to fix a directory without a config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    await expect(loadConfig(dir)).rejects.toThrow(
      /no tollgate.config.ts in .*; create one that exports defineConfig/,
    );
  });

  it('says how to fix a config without a default export', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    writeFileSync(join(dir, 'tollgate.config.ts'), 'export const config = {};\n');
    await expect(loadConfig(dir)).rejects.toThrow(/has no default export; use "export default defineConfig/);
  });

  const withConfig = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n'); // top-level await needs ESM
    writeFileSync(join(dir, 'tollgate.config.ts'), text);
    return dir;
  };

  it('reports a config that exits while loading in one line, and the caller lives on', async () => {
    // Arrange
    const dir = withConfig('process.exit(3);\nexport default {};\n');
    // Act
    const error = await loadConfig(dir).then(
      () => undefined,
      (e: Error) => e,
    );
    // Assert
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toMatch(
      /tollgate\.config\.ts exited with code 3 while loading; a config must not exit$/,
    );
    expect(error!.message).not.toContain('\n');
  });

  it('reports a config that hangs as not loaded within the timeout, and kills it', async () => {
    // Arrange: the config writes its pid, then never finishes its top-level await
    const dir = withConfig(
      "import { writeFileSync } from 'node:fs';\n" +
        "writeFileSync(new URL('./pid', import.meta.url), String(process.pid));\n" +
        'setInterval(() => {}, 1000);\nawait new Promise(() => {});\nexport default {};\n',
    );
    // The time-out fires (no real time passes) once the config is seen running.
    const clock = {
      now: () => new Date('2026-01-01T00:00:00.000Z'),
      sleep: () => vi.waitFor(() => expect(existsSync(join(dir, 'pid'))).toBe(true), { timeout: 20_000 }),
    };
    // Act
    const error = await loadConfig(dir, { timeoutMs: 10_000, clock }).then(
      () => undefined,
      (e: Error) => e,
    );
    // Assert
    expect(error!.message).toMatch(
      /tollgate\.config\.ts did not finish loading within 10s; does it wait for something\?$/,
    );
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    await expect.poll(() => alive(pid)).toBe(false);
  });

  it('reports a config that throws with its first line', async () => {
    const dir = withConfig("throw new Error('no DATABASE_HOST\\nstack…');\nexport default {};\n");
    await expect(loadConfig(dir)).rejects.toThrow(/cannot load .*tollgate\.config\.ts: no DATABASE_HOST$/);
  });

  it('reports a syntax error with its line, column and what is wrong, in one line', async () => {
    const dir = withConfig("export default {\n  name: 'orders',\n  build: { command: 'a' ,, },\n};\n");
    const error = await loadConfig(dir).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).toMatch(
      /cannot load .*tollgate\.config\.ts: syntax error at line 3, column 25: Expected identifier but found ","$/,
    );
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
