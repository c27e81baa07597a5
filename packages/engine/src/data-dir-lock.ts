// One process at a time on an embedded data directory. PGlite keeps no lock of its own: a second process
// (the CLI while `touchpoint start` runs) would open its own copy of the files, read what the first had not
// yet written back and overwrite what it wrote. The holder leaves its pid in the directory; a pid that no
// longer runs is a lock left by a crash and is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TouchpointError } from '@touchpoint/schema';

export const DATA_DIR_LOCK_FILE = 'touchpoint.pid';

interface LockOwner {
  pid: number;
  command: string;
  since: string;
  /** Where the holder serves the API, when it is a server (announceDataDirServer). */
  url?: string;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user — still a holder.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return Number.isInteger(owner.pid) ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the directory for this process, or throws CONFLICT naming the process that holds it and what to
 * do. Returns the release function (removes the file only while it is still ours).
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, DATA_DIR_LOCK_FILE);
  const mine: LockOwner = {
    pid: process.pid,
    command: process.argv.slice(1).join(' ').slice(0, 200),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      return () => {
        if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(file);
    if (owner && owner.pid !== process.pid && running(owner.pid)) {
      const server = owner.url ? `It is a Touchpoint server answering at ${owner.url}. ` : '';
      throw new TouchpointError(
        'CONFLICT',
        `The embedded database in ${dataDir} is in use by another Touchpoint process (pid ${owner.pid}, since ${owner.since}: ${owner.command}). ` +
          server +
          `Stop that process first (e.g. Ctrl+C in its terminal, or kill ${owner.pid}) and run the command again; ` +
          'to work on the data while a server runs, give both the same PostgreSQL server with DATABASE_URL. ' +
          `If pid ${owner.pid} is not Touchpoint (the number was reused after a crash), delete ${file}.`,
        {
          details: { pid: owner.pid, dataDir, ...(owner.url ? { url: owner.url } : {}) },
          issues: [{ path: 'TOUCHPOINT_DATA_DIR', message: `held by pid ${owner.pid} (${file})` }],
        },
      );
    }
    // A lock of a process that is gone (or of this very process, or unreadable): taken over.
    rmSync(file, { force: true });
  }
  throw new TouchpointError('CONFLICT', `Could not take the lock ${file}: another process keeps taking it.`);
}

/**
 * Writes where this process serves the API into its lock, so a command refused the directory can say which
 * server to talk to instead. Does nothing when the lock is not this process's.
 */
export function announceDataDirServer(dataDir: string, url: string): void {
  const file = join(dataDir, DATA_DIR_LOCK_FILE);
  const owner = readOwner(file);
  if (owner?.pid !== process.pid) return;
  writeFileSync(file, JSON.stringify({ ...owner, url }));
}
