// A closed-loop load generator: `concurrency` workers each send the next request as soon as their previous
// one finished, so the offered load follows what the server can take (like N users clicking, not an open
// arrival rate). A warm-up run at the same concurrency fills pools, caches and the JIT and is not measured.
//
// Sides that are compared (Touchpoint and its baseline) are measured interleaved, in slices of about a
// second in ABBA order, so a slow minute of a shared machine hits both alike instead of deciding the ratio.
// A side's requests are sent either from this process (`localSide`, for in-process layers) or from the
// load generator's own process (see load-client.ts), so an HTTP client never shares the server's event loop.
// CPU time is taken around every slice: this process's own (the Touchpoint server, or an in-process layer),
// the load process's, and, when a probe is given, the database's (see cpu.ts), so a row says which side
// spent what.

export interface LoadOptions {
  /** Requests in flight at any time. */
  concurrency: number;
  /** Measured time per side (ms). */
  durationMs: number;
  /** Warm-up per side before measuring (ms, default 1000; 0 skips it). */
  warmupMs?: number;
  /** Length of one interleaved slice (ms, default 1000). */
  sliceMs?: number;
  /** Measures the database's CPU time over a slice; undefined when it cannot be read. */
  databaseCpu?: CpuProbe;
}

/** Starts measuring; the function it returns gives the CPU ms spent since then (undefined: unreadable). */
export type CpuProbe = () => Promise<() => Promise<number | undefined>>;

export interface LoadResult {
  concurrency: number;
  /** Requests that completed without throwing, in the measured phase. */
  requests: number;
  errors: number;
  /** The first error's message, so a failing scenario says why. */
  firstError?: string;
  elapsedMs: number;
  requestsPerSecond: number;
  /** Latency percentiles of the successful requests, in ms. */
  p50: number;
  p95: number;
  p99: number;
  /** CPU time of this Node process (the Touchpoint server, or an in-process layer) per successful request, in ms. */
  serverCpuMs: number;
  /** CPU time of the load generator's process per successful request, in ms (0 for a local side). */
  clientCpuMs: number;
  /** CPU time of the database's backends per successful request, in ms, when a probe could read it. */
  databaseCpuMs?: number;
}

export interface Phase {
  latencies: number[];
  errors: number;
  firstError?: string;
  elapsedMs: number;
}

/** One side of a comparison: runs a closed-loop phase; `clientCpuMs` when another process sent the requests. */
export interface Side {
  run(concurrency: number, ms: number): Promise<Phase & { clientCpuMs?: number }>;
}

/** A side whose requests are sent from this process (an in-process layer, no HTTP). */
export function localSide(request: () => Promise<void>): Side {
  return { run: (concurrency, ms) => runPhase(request, concurrency, ms) };
}

export async function runPhase(request: () => Promise<void>, concurrency: number, untilMs: number): Promise<Phase> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + untilMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await request();
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, errors, firstError, elapsedMs: performance.now() - started };
}

/** Nearest-rank percentile of sorted values (0 when there are none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

interface Tally extends Phase {
  cpuMs: number;
  clientMs: number;
  databaseMs: number | undefined;
}

/**
 * Measures each side for `durationMs` at `concurrency`, interleaved slice by slice (ABBA…), and returns one
 * result per side, in order.
 */
export async function runLoads(requests: readonly Side[], options: LoadOptions): Promise<LoadResult[]> {
  const { concurrency, durationMs } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`concurrency must be >= 1, got ${concurrency}`);
  }
  if (!(durationMs > 0)) throw new Error(`durationMs must be > 0, got ${durationMs}`);
  const warmupMs = options.warmupMs ?? 1000;
  const slices = Math.max(1, Math.round(durationMs / (options.sliceMs ?? 1000)));
  const sliceMs = durationMs / slices;

  for (const side of requests) if (warmupMs > 0) await side.run(concurrency, warmupMs);
  const tallies: Tally[] = requests.map(() => ({
    latencies: [],
    errors: 0,
    elapsedMs: 0,
    cpuMs: 0,
    clientMs: 0,
    databaseMs: 0,
  }));
  for (let slice = 0; slice < slices; slice++) {
    const order = requests.map((_, i) => i);
    if (slice % 2 === 1) order.reverse();
    for (const i of order) {
      const tally = tallies[i]!;
      const database = await options.databaseCpu?.();
      const cpuBefore = process.cpuUsage();
      const phase = await requests[i]!.run(concurrency, sliceMs);
      const cpu = process.cpuUsage(cpuBefore);
      const databaseMs = await database?.();
      for (const latency of phase.latencies) tally.latencies.push(latency);
      tally.errors += phase.errors;
      tally.firstError ??= phase.firstError;
      tally.elapsedMs += phase.elapsedMs;
      tally.cpuMs += (cpu.user + cpu.system) / 1000;
      tally.clientMs += phase.clientCpuMs ?? 0;
      tally.databaseMs =
        databaseMs === undefined || tally.databaseMs === undefined ? undefined : tally.databaseMs + databaseMs;
    }
  }

  return tallies.map((tally) => {
    const sorted = tally.latencies.sort((a, b) => a - b);
    const perRequest = (totalMs: number) => totalMs / Math.max(1, sorted.length);
    return {
      concurrency,
      requests: sorted.length,
      errors: tally.errors,
      firstError: tally.firstError,
      elapsedMs: tally.elapsedMs,
      requestsPerSecond: (sorted.length / tally.elapsedMs) * 1000,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      serverCpuMs: perRequest(tally.cpuMs),
      clientCpuMs: perRequest(tally.clientMs),
      databaseCpuMs:
        tally.databaseMs === undefined || options.databaseCpu === undefined ? undefined : perRequest(tally.databaseMs),
    };
  });
}

export async function runLoad(side: Side, options: LoadOptions): Promise<LoadResult> {
  return (await runLoads([side], options))[0]!;
}
