import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLock, LOCK_FILE } from '../../../../runtime/store/data-dir-lock.js';
import { FileLogStore } from '../../../../runtime/store/file-log-store.js';

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('DataDirLock', () => {
  let dir: string;
  let sleeper: ChildProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-lock-'));
  });

  afterEach(async () => {
    sleeper?.kill('SIGKILL');
    sleeper = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('writes our pid into the lock file when the directory is free', async () => {
    // Act
    const lock = await DataDirLock.acquire(dir);
    const content = await readFile(join(dir, LOCK_FILE), 'utf8');
    await lock.release();
    // Assert
    expect(content).toBe(`${process.pid}\n`);
    await expect(stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('throws StoreLockedError when a second store opens the same directory', async () => {
    // Arrange
    const first = await FileLogStore.open(dir);
    // Act
    const second = FileLogStore.open(dir);
    // Assert
    await expect(second).rejects.toMatchObject({ name: 'StoreLockedError' });
    await expect(second).rejects.toThrow(`data directory ${dir} is locked by pid ${process.pid}`);
    await first.close();
  });

  it('lets the directory be opened again when the previous store was closed', async () => {
    // Arrange
    const first = await FileLogStore.open(dir);
    await first.append([{ t: 'x' }]);
    await first.close();
    // Act
    const second = await FileLogStore.open(dir);
    await second.close();
    // Assert
    await expect(stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('throws StoreLockedError when another live process holds the lock', async () => {
    // Arrange
    sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await writeFile(join(dir, LOCK_FILE), `${sleeper.pid}\n`);
    // Act
    const attempt = DataDirLock.acquire(dir);
    // Assert
    await expect(attempt).rejects.toThrow(`is locked by pid ${sleeper.pid}`);
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(`${sleeper.pid}\n`);
  });

  it('takes the lock over when its owner process is dead', async () => {
    // Arrange
    const pid = deadPid();
    await writeFile(join(dir, LOCK_FILE), `${pid}\n`);
    // Act
    const lock = await DataDirLock.acquire(dir);
    const content = await readFile(join(dir, LOCK_FILE), 'utf8');
    await lock.release();
    // Assert
    expect(content).toBe(`${process.pid}\n`);
  });

  it('takes the lock over when the lock file holds no pid', async () => {
    // Arrange
    await writeFile(join(dir, LOCK_FILE), 'garbage');
    // Act
    const lock = await DataDirLock.acquire(dir);
    const content = await readFile(join(dir, LOCK_FILE), 'utf8');
    await lock.release();
    // Assert
    expect(content).toBe(`${process.pid}\n`);
  });

  it('leaves a lock that is no longer ours when released', async () => {
    // Arrange
    const lock = await DataDirLock.acquire(dir);
    await writeFile(join(dir, LOCK_FILE), '424242\n');
    // Act
    await lock.release();
    // Assert
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe('424242\n');
  });
});
