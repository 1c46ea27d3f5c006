import fs from 'node:fs';
import path from 'node:path';

/**
 * Test files that can share one worker process with other files (vitest `isolate: false`): the
 * unit, infra and conformance suites, less every file that changes the process for the files after
 * it (module mocks, SDK client mocks, stubbed globals or environment variables, the working
 * directory). Forking and importing afresh for each of ~300 files cost more than a third of their
 * run (378 → 240 s for test/unit, 2 workers); e2e, browser and rehearsal files start their own
 * processes and stay isolated. The check reads the sources, so a new test that mocks lands in
 * the isolated project without anyone remembering to list it. A file can also ask for its own
 * process with a `vitest: own process` comment saying why.
 */
const SHARED_DIRS = ['test/unit', 'test/infra', 'test/conformance'];
const CHANGES_THE_PROCESS =
  /vi\.(mock|doMock|stubGlobal|stubEnv)\(|mockClient\(|process\.env(\.\w+|\[[^\]]+\])\s*=[^=]|delete process\.env|process\.chdir\(|vitest: own process/;

export function sharedProcessFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (
        child.endsWith('.test.ts') &&
        !CHANGES_THE_PROCESS.test(fs.readFileSync(path.join(root, child), 'utf8'))
      )
        out.push(child);
    }
  };
  for (const dir of SHARED_DIRS) if (fs.existsSync(path.join(root, dir))) walk(dir);
  return out.sort();
}
