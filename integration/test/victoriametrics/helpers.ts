import assert from 'node:assert/strict';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { InstrumentationScopeLike, ResourceMetricsLike } from '@otelpack/batching-core';
import type { VictoriaMetricsExporter } from '@otelpack/exporter-victoriametrics';
import { sleep } from '../../src/launcher';

/*
 * Reading back from VictoriaMetrics and Prometheus through the Prometheus HTTP API, and one
 * counter exported through the SDK's interface, for the exporter's end-to-end tests (helpers
 * only: not a test file).
 */

/** One monotonic cumulative sum point stamped now, of a resource whose service.name is `job`. */
export function counterNow(options: {
  job: string;
  scope: InstrumentationScopeLike;
  name: string;
  unit?: string;
  description?: string;
  value: number;
}): ResourceMetricsLike {
  const nowMs = Date.now();
  const time: [number, number] = [Math.floor(nowMs / 1000), (nowMs % 1000) * 1e6];
  return {
    resource: { attributes: { 'service.name': options.job } },
    scopeMetrics: [
      {
        scope: options.scope,
        metrics: [
          {
            descriptor: {
              name: options.name,
              unit: options.unit ?? '',
              description: options.description ?? '',
              valueType: 1,
            },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.SUM,
            isMonotonic: true,
            dataPoints: [{ attributes: {}, startTime: time, endTime: time, value: options.value }],
          },
        ],
      },
    ],
  } as unknown as ResourceMetricsLike;
}

/** export() as the SDK calls it (a failed result throws), then forceFlush() and shutdown(). */
export async function exportFlushAndShutdown(
  exporter: VictoriaMetricsExporter,
  input: ResourceMetricsLike,
): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) =>
      exporter.export(input as never, (result) =>
        result.code === 0 ? resolve() : reject(result.error ?? new Error('export failed')),
      ),
    );
    await exporter.forceFlush();
  } finally {
    await exporter.shutdown();
  }
}

export type QueryResult =
  | { resultType: 'vector'; result: { metric: Record<string, string>; value: [number, string] }[] }
  | {
      resultType: 'matrix';
      result: { metric: Record<string, string>; values: [number, string][] }[];
    }
  | { resultType: 'scalar'; result: [number, string] };

/** `/api/v1/query` at `timeMs` (else now); throws with the server's words on any error. */
export async function query(baseUrl: string, expr: string, timeMs?: number): Promise<QueryResult> {
  const params = new URLSearchParams({ query: expr });
  if (timeMs !== undefined) params.set('time', (timeMs / 1000).toFixed(3));
  const response = await fetch(`${baseUrl}/api/v1/query?${params}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: { status?: string; data?: QueryResult };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`query ${expr}: HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (response.status !== 200 || body.status !== 'success' || !body.data) {
    throw new Error(`query ${expr}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  return body.data;
}

/** The one value of an instant query that must return exactly one series. */
export async function single(baseUrl: string, expr: string, timeMs?: number): Promise<number> {
  const data = await query(baseUrl, expr, timeMs);
  assert.equal(data.resultType, 'vector', expr);
  assert.equal(data.result.length, 1, `${expr} → ${JSON.stringify(data.result)}`);
  return parseValue(data.result[0].value[1]);
}

/** A sample value as the API prints it: "42.5", "NaN", "+Inf", "-Inf". */
export function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/**
 * Repeats `check` until it passes or `timeoutMs` runs out (then throws its last error): for
 * VictoriaMetrics, which makes samples searchable shortly after /internal/force_flush.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

/** VictoriaMetrics keeps new rows in memory for about a second; this writes them out. */
export async function forceFlushVm(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}/internal/force_flush`, {
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(response.status, 200, 'GET /internal/force_flush');
  await response.arrayBuffer();
}

export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/** Every raw sample of the matching series (VictoriaMetrics `/api/v1/export`, JSON lines). */
export async function exportVm(baseUrl: string, match: string): Promise<ExportedSeries[]> {
  const params = new URLSearchParams({ 'match[]': match, start: '0' });
  const response = await fetch(`${baseUrl}/api/v1/export?${params}`, {
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `export: ${text.slice(0, 300)}`);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ExportedSeries);
}

/** A stable key for a label set. */
export function seriesKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}
