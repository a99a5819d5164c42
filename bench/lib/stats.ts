/** Small statistics and a bounded concurrent loop shared by the benchmark and the load test. */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(xs: number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}

export interface LoopResult<T> {
  results: T[];
  latenciesMs: number[];
  elapsedMs: number;
  rps: number;
  p50: number;
  p99: number;
}

/**
 * Run `fn(i)` for i in [0, total) with at most `concurrency` in flight, bounded by `deadlineMs`
 * (requests not started by then are skipped, so a loop can never run away).
 */
export async function runConcurrent<T>(
  total: number,
  concurrency: number,
  fn: (i: number) => Promise<T>,
  deadlineMs = 120_000,
): Promise<LoopResult<T>> {
  const results: T[] = new Array(total);
  const lat: number[] = [];
  let next = 0;
  const started = performance.now();
  const stopAt = started + deadlineMs;
  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= total || performance.now() > stopAt) return;
      const t = performance.now();
      results[i] = await fn(i);
      lat.push(performance.now() - t);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  const elapsedMs = performance.now() - started;
  const sorted = [...lat].sort((a, b) => a - b);
  return {
    results: results.slice(0, lat.length),
    latenciesMs: lat,
    elapsedMs,
    rps: (lat.length / elapsedMs) * 1000,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

export const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;
