import { posix } from 'node:path';

/**
 * What a test runner collects of the files a test command leaves in the release tree (JUnit XML,
 * threshold summaries), the same on every runner: the local one reads them from its tree, the
 * CodeBuild one from what its build uploaded.
 */

/** Bytes read of a report; a bigger file is cut (and says so) rather than filling the evidence. */
export const MAX_REPORT_BYTES = 1_000_000;

/** Lines of a command's output kept for the evidence of a failed test stage. */
export const OUTPUT_LINES = 20;

/**
 * A `junit` glob (`reports/*.xml`): the directory is literal and `*` matches within the file name,
 * so a runner needs to look in one directory only.
 */
export function reportGlob(glob: string): { readonly dir: string; matches(name: string): boolean } {
  const pattern = new RegExp(
    `^${posix
      .basename(glob)
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
  return { dir: posix.dirname(glob), matches: (name) => pattern.test(name) };
}

/** A report's path in the tree, relative: `name` in the glob's directory. */
export function reportPath(dir: string, name: string): string {
  return dir === '.' ? name : `${dir}/${name}`;
}
