// A closed-loop load generator: `concurrency` workers each send the next request as soon as their previous
// one finished, so the offered load follows what the server can take (like N users clicking, not an open
// arrival rate). A warm-up run at the same concurrency fills pools, caches and the JIT and is not measured.

export interface LoadOptions {
  /** Requests in flight at any time. */
  concurrency: number;
  /** Measure for this long (ms). Give this or `requests`. */
  durationMs?: number;
  /** Measure this many requests instead of a duration. */
  requests?: number;
  /** Warm-up before measuring (ms, default 1000; 0 skips it). */
  warmupMs?: number;
}

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
}

interface Phase {
  latencies: number[];
  errors: number;
  firstError?: string;
  elapsedMs: number;
}

async function runPhase(
  request: () => Promise<void>,
  concurrency: number,
  stop: { untilMs?: number; requests?: number },
): Promise<Phase> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let issued = 0;
  const started = performance.now();
  const deadline = stop.untilMs === undefined ? Number.POSITIVE_INFINITY : started + stop.untilMs;
  const limit = stop.requests ?? Number.POSITIVE_INFINITY;

  const worker = async () => {
    while (issued < limit && performance.now() < deadline) {
      issued++;
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

export async function runLoad(request: () => Promise<void>, options: LoadOptions): Promise<LoadResult> {
  const { concurrency } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`concurrency must be >= 1, got ${concurrency}`);
  }
  if ((options.durationMs === undefined) === (options.requests === undefined)) {
    throw new Error('give exactly one of durationMs and requests');
  }
  const warmupMs = options.warmupMs ?? 1000;
  if (warmupMs > 0) await runPhase(request, concurrency, { untilMs: warmupMs });

  const phase = await runPhase(request, concurrency, { untilMs: options.durationMs, requests: options.requests });
  const sorted = phase.latencies.sort((a, b) => a - b);
  return {
    concurrency,
    requests: sorted.length,
    errors: phase.errors,
    firstError: phase.firstError,
    elapsedMs: phase.elapsedMs,
    requestsPerSecond: (sorted.length / phase.elapsedMs) * 1000,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}
