import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptLogError } from './errors.js';
import { LOG_HEADER } from './log-format.js';
import { findIntactFrameAfter, readFully, readLog } from './log-reader.js';

export const LOG_FILE = 'engine.log';

/** Opens (or creates) the log and cuts a torn tail off, returning the handle and the durable end. */
export async function openLog(dataDir: string): Promise<{ handle: FileHandle; end: number }> {
  const path = join(dataDir, LOG_FILE);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    handle = await open(path, 'wx+', 0o600);
    await handle.write(LOG_HEADER, 0, LOG_HEADER.length, 0);
    await handle.sync();
    await syncDirectory(dataDir);
    return { handle, end: LOG_HEADER.length };
  }
  try {
    const size = (await handle.stat()).size;
    const header = Buffer.alloc(LOG_HEADER.length);
    const got = await readFully(handle, header, 0);
    if (got < LOG_HEADER.length && LOG_HEADER.subarray(0, got).equals(header.subarray(0, got))) {
      // Crashed while creating the file: nothing was ever acknowledged, start it again.
      await handle.write(LOG_HEADER, 0, LOG_HEADER.length, 0);
      await handle.sync();
      return { handle, end: LOG_HEADER.length };
    }
    if (!header.equals(LOG_HEADER)) {
      throw new CorruptLogError(
        `${path} is not a Tollgate engine log (bad header); move it aside to start afresh`,
      );
    }
    let validEnd = size;
    for await (const item of readLog(handle, LOG_HEADER.length, size)) {
      if (item.kind !== 'end') continue;
      validEnd = item.validEnd;
      if (item.damage) {
        const intact = await findIntactFrameAfter(handle, item.damage.offset, size);
        if (intact !== null) {
          throw new CorruptLogError(
            `${path} is damaged at byte ${item.damage.offset} (${item.damage.reason}) but intact records follow at byte ${intact}; refusing to drop them`,
          );
        }
      }
    }
    if (validEnd < size) {
      await handle.truncate(validEnd);
      await handle.sync();
    }
    return { handle, end: validEnd };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

export async function syncDirectory(dir: string): Promise<void> {
  // Makes a create or rename itself durable; without it a crash can forget the new directory entry.
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
