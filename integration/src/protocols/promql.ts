import { sleep } from '../launcher';

/*
 * Reading back through the Prometheus HTTP API (`/api/v1/query`), which Prometheus and
 * VictoriaMetrics both serve, so that tests check what a user's PromQL would see.
 */

export interface InstantSeries {
  metric: Record<string, string>;
  /** [unix seconds, value as the API prints it: "42.5", "NaN", "+Inf"] */
  value: [number, string];
}

/** Runs an instant query, at `timeMs` when given (else the server's now); throws on an API error. */
export async function instantQuery(
  baseUrl: string,
  expr: string,
  timeMs?: number,
): Promise<InstantSeries[]> {
  const params = new URLSearchParams({ query: expr });
  if (timeMs !== undefined) params.set('time', (timeMs / 1000).toFixed(3));
  const response = await fetch(`${baseUrl}/api/v1/query?${params}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: { status?: string; data?: { resultType?: string; result?: InstantSeries[] } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`query ${expr}: HTTP ${response.status}, not JSON: ${text.slice(0, 500)}`);
  }
  if (response.status !== 200 || body.status !== 'success' || body.data?.resultType !== 'vector') {
    throw new Error(`query ${expr}: HTTP ${response.status}: ${text.slice(0, 500)}`);
  }
  return body.data.result ?? [];
}

/**
 * Repeats an instant query until it returns at least one series or `timeoutMs` passes, then
 * returns the last answer (possibly empty: the caller's assertion says what was missing).
 * For backends that make writes visible after a delay, such as VictoriaMetrics.
 */
export async function pollInstantQuery(
  baseUrl: string,
  expr: string,
  options: { timeMs?: number; timeoutMs?: number; intervalMs?: number } = {},
): Promise<InstantSeries[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const result = await instantQuery(baseUrl, expr, options.timeMs);
    if (result.length > 0 || Date.now() >= deadline) return result;
    await sleep(options.intervalMs ?? 100);
  }
}

/** A metric name no other test or earlier run uses. */
export function uniqueMetricName(prefix: string): string {
  return `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e9)}`;
}
