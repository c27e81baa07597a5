// CPU time PostgreSQL spends on the bench's requests: the server processes (backends) of the bench's own
// database, read from /proc. Only the backends count, so other work on the machine — other databases,
// other programs — does not blur the numbers the way machine-wide CPU would. Works when PostgreSQL runs on
// this machine and /proc is readable (Linux); otherwise the probe reports nothing and the tables show —.
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import type { CpuProbe } from './load.ts';

/** utime + stime of a process in clock ticks, or undefined when it is gone or unreadable. */
function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may contain spaces; the fields after it are fixed:
    // state(3) … utime(14) stime(15), counted from 1 with pid as field 1.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Clock ticks per second (USER_HZ): 100 on Linux for every common architecture. */
const TICKS_PER_SECOND = 100;

async function backendPids(pool: Pool): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>(
    "select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend'",
  );
  return rows.map((r) => r.pid);
}

/** A probe for `runLoad`, or undefined when the backends' CPU cannot be read from here. */
export async function postgresCpuProbe(pool: Pool): Promise<CpuProbe | undefined> {
  const pids = await backendPids(pool).catch(() => []);
  if (pids.length === 0 || pids.some((pid) => processTicks(pid) === undefined)) return undefined;
  return async () => {
    const before = new Map((await backendPids(pool)).map((pid) => [pid, processTicks(pid) ?? 0]));
    return async () => {
      let ticks = 0;
      // A backend that started during the phase spent all its CPU in it; one that ended took its share along.
      for (const pid of await backendPids(pool)) ticks += (processTicks(pid) ?? 0) - (before.get(pid) ?? 0);
      return (ticks * 1000) / TICKS_PER_SECOND;
    };
  };
}
