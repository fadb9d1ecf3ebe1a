import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { AppError } from '../contracts/errors.ts';

/**
 * A lock not refreshed for this long is stale (its owner died on another host; a dead owner on
 * this host is found by its pid at once). Long, because the embedded engine runs on the owner's
 * event loop: one large statement can hold off the refresh for many seconds, and a short stale
 * time would let a second process take a folder that is still in use.
 */
export const DATA_DIR_LOCK_STALE_MS = 10 * 60_000;
/** How often the owner refreshes its lock. */
const DATA_DIR_LOCK_UPDATE_MS = 10_000;
/** Inside the lock folder: who holds it, so a lock left by a killed process is reclaimed at once. */
const OWNER_FILE = 'owner.json';

interface Owner {
  pid: number;
  host: string;
  token: string;
}

// The lock folder holds the owner file, so removing it (on release, or when proper-lockfile finds
// it stale) must remove a non-empty folder.
const lockFs = {
  ...fs,
  rmdir: (path: string, done: (error: NodeJS.ErrnoException | null) => void) =>
    fs.rm(path, { recursive: true, force: true }, done),
  rmdirSync: (path: string) => fs.rmSync(path, { recursive: true, force: true }),
};

/**
 * Takes the lock on an embedded data folder: one process owns it at a time, since a second opener
 * would corrupt it. A lock left by a process that was killed (kill -9, power loss) on this host is
 * reclaimed at once by checking its pid; otherwise a lock not refreshed for
 * DATA_DIR_LOCK_STALE_MS is taken over. Resolves to the release function.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${fs.realpathSync(dataDir)}.lock`;
  const options = {
    stale: DATA_DIR_LOCK_STALE_MS,
    update: DATA_DIR_LOCK_UPDATE_MS,
    lockfilePath: lockPath,
    fs: lockFs,
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || !reclaimFromDeadOwner(lockPath))
      throw locked(dataDir);
    try {
      release = await lockfile.lock(dataDir, options);
    } catch {
      throw locked(dataDir);
    }
  }
  const owner: Owner = { pid: process.pid, host: hostname(), token: randomUUID() };
  // proper-lockfile tells its own lock by the folder's mtime, which adding a file changes: put it back.
  const { atime, mtime } = fs.statSync(lockPath);
  fs.writeFileSync(join(lockPath, OWNER_FILE), JSON.stringify(owner));
  fs.utimesSync(lockPath, atime, mtime);
  return release;
}

function locked(dataDir: string): AppError {
  return new AppError(
    'DATA_DIR_LOCKED',
    `the data folder ${dataDir} is in use by another Narrowcast process; stop it, or send the data to its HTTP API`,
  );
}

/** Removes the lock when its owner process, on this host, no longer runs; true if it did. */
function reclaimFromDeadOwner(lockPath: string): boolean {
  const owner = readOwner(lockPath);
  // No owner file yet: the holder has just taken the lock and is writing it.
  if (owner === undefined || owner.host !== hostname() || isRunning(owner.pid)) return false;
  // Move the folder aside before deleting it: of two processes reclaiming at once, only one
  // succeeds, and a lock taken meanwhile by a third (another token) is put back.
  const aside = `${lockPath}.stale-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch {
    return true; // Someone else moved it already; trying again decides.
  }
  if (readOwner(aside)?.token !== owner.token) {
    try {
      fs.renameSync(aside, lockPath);
    } catch {
      // The path was taken again meanwhile; that holder's lock stands.
    }
    return false;
  }
  fs.rmSync(aside, { recursive: true, force: true });
  return true;
}

function readOwner(lockPath: string): Owner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(join(lockPath, OWNER_FILE), 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.token === 'string'
      ? (owner as Owner)
      : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  // Our own pid in the file is an earlier process that had it (a container restarts with the same pid).
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
