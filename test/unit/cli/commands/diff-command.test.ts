import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { releaseHistory } from '../../functions/register-release/release-history.js';
import { cli } from '../e2e-harness.js';

const FIRST = { 'migrations/0001_orders.sql': 'CREATE TABLE orders (id int);\n' };
const SECOND = { 'migrations/0002_refunds.sql': 'ALTER TABLE orders ADD COLUMN refunded boolean;\n' };

/**
 * Two real releases in a data directory (r1 in prod, r2 in test) and the repository's
 * tollgate.config.ts beside the commits; the real CLI reads them as a child process.
 */
async function history() {
  const h = releaseHistory();
  const r1 = await h.release('ORD-1: first release', FIRST);
  await h.promote(r1.version, 'prod', r1.executionArn);
  const r2 = await h.release('ORD-2: refunds', SECOND);
  await h.promote(r2.version, 'test', r2.executionArn);
  writeFileSync(
    join(h.repo.dir, 'tollgate.config.ts'),
    `export default ${JSON.stringify({
      name: 'orders',
      source: { repository: 'orders-service' },
      build: { command: 'npm run build', artifact: 'dist/release.tgz' },
      database: { engine: 'postgres', migrations: 'migrations' },
      environments: [
        {
          name: 'test',
          deploy: { type: 'process', command: 'node s.js', port: 4701 },
          database: { refresh: true },
        },
        { name: 'prod', deploy: { type: 'process', command: 'node s.js', port: 4703 }, database: {} },
      ],
    })};\n`,
  );
  const args = ['--data-dir', h.dataDir, '--repo', h.repo.dir];
  return { r1, r2, args };
}

describe('tollgate diff', () => {
  it('prints the commits, the migration SQL, the config and the digests from prod to test, and the same as --json', async () => {
    // Arrange
    const { r1, r2, args } = await history();

    // Act
    const text = await cli(['diff', 'prod', 'test', ...args]);
    const json = await cli(['diff', 'prod', 'test', '--json', ...args]);

    // Assert
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe(`prod (${r1.version}) → test (${r2.version})`);
    expect(lines).toContain('commits    1 added, 0 removed');
    expect(lines).toContain(`  + ${r2.commit.slice(0, 7)} ORD-2: refunds (Dev <dev@example.test>)`);
    expect(lines).toContain('migrations 1 added, 0 removed, 0 edited');
    expect(lines).toContain('      ALTER TABLE orders ADD COLUMN refunded boolean;');
    expect(lines).toContain('config     the same');
    expect(json.code).toBe(0);
    const diff = JSON.parse(json.stdout);
    expect(diff.a).toMatchObject({ environment: 'prod', version: r1.version });
    expect(lines[1]).toBe(`artifact   ${diff.a.digest} → ${diff.b.digest}`);
  }, 60_000);

  it.each([
    [
      'an unknown environment',
      ['qa', 'prod'],
      2,
      'tollgate: "qa" is neither an environment (test, prod) nor a release version like r42-1a2b3c4',
    ],
    [
      'the same thing twice',
      ['prod', 'prod'],
      2,
      'tollgate: compare two different releases or environments, got "prod" twice',
    ],
    [
      'an unknown release',
      ['r77-abcdef0', 'prod'],
      1,
      'tollgate: unknown release "r77-abcdef0"; list the releases with `npx tollgate releases`',
    ],
  ])(
    'refuses %s in one line',
    async (_kind, sides, code, line) => {
      // Arrange
      const { args } = await history();

      // Act
      const result = await cli(['diff', ...sides, ...args]);

      // Assert
      expect(result.code).toBe(code);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`${line}\n`);
    },
    60_000,
  );
});
