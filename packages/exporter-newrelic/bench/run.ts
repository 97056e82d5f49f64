/**
 * What New Relic's limits cost at mapping time, as a ratio against a named anchor measured in
 * the same run: exporter-otlp's span mapping with the plain protobuf codec (anchor) against the
 * same mapping through this preset's codec (limits, then the time window), on spans within the
 * limits (the common case: a check per attribute, no copy) and on spans with one value over
 * 4,095 characters (a copy and a cut). CPU time of many rounds, the median kept.
 *
 *   npm run bench -w packages/exporter-newrelic
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpanLike } from '@otelpack/batching-core';
import { ProtobufCodec, spanMapping, withTimeWindow } from '@otelpack/exporter-otlp';
import { NEW_RELIC_TIME_WINDOWS, withNewRelicLimits } from '../src';
import { median } from '../../batching-core/bench/lib/stats';

const SPANS = 2_000;
const ROUNDS = 25;

function makeSpans(longValue: boolean): ReadableSpanLike[] {
  const spans: ReadableSpan[] = [];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench', 'host.name': 'h1' }),
    spanProcessors: [
      new SimpleSpanProcessor({
        export: (batch, done) => {
          spans.push(...batch);
          done({ code: 0 });
        },
        shutdown: async () => undefined,
      }),
    ],
  });
  const tracer = provider.getTracer('bench');
  for (let i = 0; i < SPANS; i++) {
    const span = tracer.startSpan(`GET /orders/${i % 50}`, {
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/orders/:id',
        'http.response.status_code': 200,
        'url.full': `https://shop.example/orders/${i}?page=1`,
        'db.statement': longValue ? 'SELECT 1 '.repeat(600) : 'SELECT * FROM orders WHERE id = $1',
        'user.roles': ['reader', 'writer'],
      },
    });
    span.addEvent('cache miss', { key: `order:${i}` });
    span.end();
  }
  return spans as unknown as ReadableSpanLike[];
}

function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function measure(spans: ReadableSpanLike[]): { anchorMs: number; presetMs: number } {
  const anchor = spanMapping(new ProtobufCodec());
  const preset = spanMapping(
    withTimeWindow(
      withNewRelicLimits(new ProtobufCodec(), { records: 'events' }),
      NEW_RELIC_TIME_WINDOWS,
    ),
  );
  const anchorTimes: number[] = [];
  const presetTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternated, so that neither always runs on a warmer heap.
    anchorTimes.push(cpuMs(() => anchor.map(spans)));
    presetTimes.push(cpuMs(() => preset.map(spans)));
  }
  return { anchorMs: median(anchorTimes), presetMs: median(presetTimes) };
}

for (const [label, long] of [
  ['spans within the limits', false],
  ['spans with a 5,400-character value', true],
] as const) {
  const { anchorMs, presetMs } = measure(makeSpans(long));
  process.stdout.write(
    `${label}: preset ${(presetMs / anchorMs).toFixed(2)}× the anchor (exporter-otlp's plain protobuf mapping); ` +
      `${SPANS} spans, median of ${ROUNDS}: anchor ${anchorMs.toFixed(1)} ms, preset ${presetMs.toFixed(1)} ms CPU\n`,
  );
}
