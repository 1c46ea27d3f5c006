import { parse, type TestCase, type TestSuite } from 'junit2json';
import type { ReportFile } from '../shared/ports/test-runner.js';

/** How much of a report the evidence keeps: it travels through the execution history (256 KB). */
export const MAX_FAILURES = 20;
export const MAX_MESSAGE = 500;
const MAX_SUITES = 50;

interface SuiteSummary {
  readonly name: string;
  readonly tests: number;
  readonly failures: number;
  readonly skipped: number;
  readonly durationMs: number;
}

interface TestFailure {
  /** The enclosing suites, outermost first, joined by " > ". */
  readonly suite: string;
  readonly name: string;
  readonly message: string;
}

export interface JunitSummary {
  readonly files: readonly string[];
  readonly tests: number;
  readonly failures: number;
  readonly skipped: number;
  readonly durationMs: number;
  readonly suites: readonly SuiteSummary[];
  /** Failures and errors, at most MAX_FAILURES of them. */
  readonly failed: readonly TestFailure[];
  /** Reports that could not be read as JUnit XML, or were cut at the runner's limit. */
  readonly problems: readonly string[];
}

/** What junit2json returns for a `<testsuites>` root, with the testcases some runners put directly under it. */
type Root = { testsuite?: TestSuite[]; testcase?: TestCase[] };

/**
 * Reads the JUnit XML files a test command wrote into counts, durations and the failures' names
 * and messages. Counts come from the test cases themselves, not the attributes a runner may
 * leave out; nested suites (node --test's describe blocks) count towards their outermost suite.
 */
export async function summariseJunit(files: readonly ReportFile[]): Promise<JunitSummary> {
  const suites: SuiteSummary[] = [];
  const failed: TestFailure[] = [];
  const problems: string[] = [];
  let failures = 0;
  for (const file of files) {
    if (file.truncated)
      problems.push(`${file.path}: longer than the runner reads; only its beginning was parsed`);
    let root: Root;
    try {
      const parsed = (await parse(file.content)) as (Root & TestSuite) | undefined;
      if (!parsed) throw new Error('empty document');
      // A file whose root is one <testsuite> parses to that suite itself.
      root =
        'testcase' in parsed && !('testsuite' in parsed) && parsed.name !== undefined
          ? { testsuite: [parsed] }
          : parsed;
    } catch (error) {
      problems.push(`${file.path}: not JUnit XML (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    if (root.testcase?.length) {
      suites.push(tally(file.path, [], root.testcase, failed, (n) => (failures += n)));
    }
    for (const suite of root.testsuite ?? []) {
      suites.push(
        tally(
          suite.name ?? file.path,
          [suite.name ?? file.path],
          cases(suite),
          failed,
          (n) => (failures += n),
          suite,
        ),
      );
    }
  }
  return {
    files: files.map((f) => f.path),
    tests: suites.reduce((sum, s) => sum + s.tests, 0),
    failures,
    skipped: suites.reduce((sum, s) => sum + s.skipped, 0),
    durationMs: suites.reduce((sum, s) => sum + s.durationMs, 0),
    suites: suites.slice(0, MAX_SUITES),
    failed,
    problems,
  };
}

/** Every test case of a suite and of the suites nested in it, each with its path of suite names. */
function cases(suite: TestSuite, path: string[] = []): Array<{ testCase: TestCase; path: string[] }> {
  const here = [...path, suite.name ?? ''];
  const nested = ((suite as { testsuite?: TestSuite[] }).testsuite ?? []).flatMap((s) => cases(s, here));
  return [...(suite.testcase ?? []).map((testCase) => ({ testCase, path: here })), ...nested];
}

function tally(
  name: string,
  rootPath: string[],
  list: ReadonlyArray<TestCase | { testCase: TestCase; path: string[] }>,
  failed: TestFailure[],
  countFailures: (n: number) => void,
  suite?: TestSuite,
): SuiteSummary {
  let failures = 0;
  let skipped = 0;
  let seconds = 0;
  for (const item of list) {
    const { testCase, path } = 'testCase' in item ? item : { testCase: item, path: rootPath };
    seconds += typeof testCase.time === 'number' ? testCase.time : 0;
    if (testCase.skipped) skipped += 1;
    const problem = firstProblem(testCase);
    if (problem === undefined) continue;
    failures += 1;
    if (failed.length < MAX_FAILURES)
      failed.push({
        suite: path.filter(Boolean).join(' > '),
        name: testCase.name ?? '(unnamed)',
        message: cut(problem),
      });
  }
  countFailures(failures);
  const durationMs = Math.round(1_000 * (typeof suite?.time === 'number' ? suite.time : seconds));
  return { name, tests: list.length, failures, skipped, durationMs };
}

/** The `<failure>` or `<error>` of a test case: its message, else the first line of its text. */
function firstProblem(testCase: TestCase): string | undefined {
  const details = [...(testCase.failure ?? []), ...(testCase.error ?? [])];
  if (details.length === 0) return undefined;
  const first = details[0] as { message?: string; inner?: string } | string;
  if (typeof first === 'string') return first || 'failed';
  const lines = (first.inner ?? '').split('\n').map((line) => line.trim());
  if (!first.message) return lines.find(Boolean) || 'failed';
  return unsquashed(first.message, lines) ?? first.message;
}

/**
 * Node's JUnit reporter drops the newlines from a multi-line message when it writes the
 * `message` attribute, so an assertion's "answered 404" and "404 !== 200" arrive as
 * "answered 404404 !== 200". The element's text keeps the lines: when its leading lines
 * (after the error's "Error [CODE]: " prefix, which an async test's failure opens with "[")
 * concatenate to exactly the attribute, they are
 * the message, and are joined with a visible separator instead.
 */
function unsquashed(message: string, lines: readonly string[]): string | undefined {
  const parts: string[] = [];
  let joined = '';
  for (const raw of lines) {
    // Node prints an error with extra properties as `[Error [CODE]: message` … `] { code: … }`.
    const line = parts.length === 0 ? raw.replace(/^\[?[\w.]*Error(?: \[[A-Z_]+\])?: /, '') : raw;
    if (!line) continue;
    if (!message.startsWith(joined + line)) return undefined;
    parts.push(line);
    joined += line;
    if (joined === message) return parts.length > 1 ? parts.join(' — ') : undefined;
  }
  return undefined;
}

function cut(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE)}…` : line;
}
