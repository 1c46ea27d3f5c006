import fs from 'node:fs';
import path from 'node:path';

/**
 * Bytes a directory tree occupies on disk (allocated blocks, as `du` counts them), not its apparent
 * size: sparse files and holes do not count against a disk budget. Missing paths weigh nothing.
 */
export function diskUsage(root: string): number {
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const at = stack.pop()!;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while we walked
      throw error;
    }
    total += stat.blocks * 512;
    if (stat.isDirectory()) for (const entry of fs.readdirSync(at)) stack.push(path.join(at, entry));
  }
  return total;
}
