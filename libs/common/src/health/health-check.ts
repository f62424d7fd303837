export interface HealthCheckResult {
  status: 'up' | 'down';
  latency_ms: number;
  error?: string;
}

/** A dependency a process needs to do useful work (database, Redis, ...). */
export interface HealthCheck {
  check(): Promise<HealthCheckResult>;
}

/** Times a probe and turns its failure or a time-out into a `down` result. */
export async function probe(
  run: () => Promise<unknown>,
  timeoutMs = 2000,
): Promise<HealthCheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', latency_ms: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      status: 'down',
      latency_ms: Math.round(performance.now() - started),
      error: err instanceof Error ? err.message : String(err),
    };
  } finally {
    clearTimeout(timer);
  }
}
