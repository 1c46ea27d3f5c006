import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Starts the longest test files first. On a fresh clone (CI) vitest has no timing cache and runs
 * files in path order, so a long file that happens to come last runs alone while the other worker
 * idles. test/file-weights.json holds each slow file's seconds from a full run; files it does not
 * name are short and go last in vitest's own order. The weights only order the work, so a stale
 * file costs speed, never correctness; refresh it from a `--reporter=json` run now and then.
 */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const weights = readWeights();
    const root = this.ctx.config.root;
    const weightOf = (spec: TestSpecification) => weights[relative(root, spec.moduleId)] ?? 0;
    return ordered
      .map((spec, index) => ({ spec, index, weight: weightOf(spec) }))
      .sort((a, b) => b.weight - a.weight || a.index - b.index)
      .map((entry) => entry.spec);
  }
}

function readWeights(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(new URL('../file-weights.json', import.meta.url), 'utf8'));
  } catch {
    return {};
  }
}
