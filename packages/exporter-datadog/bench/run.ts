/**
 * `npm run bench` for @otelpack/exporter-datadog. Two measurements in one run, printed as tables
 * and written to bench/results/latest.json:
 *
 * 1. Metric datagram encoding (points/s): ResourceMetrics → this package's DogStatsD lines packed
 *    into 1,432-byte datagrams, against the anchor, hot-shots' own per-call API
 *    (`client.gauge/increment(name, value, { tags, timestamp })` in mock mode, which builds the
 *    same lines and stops before the socket), for the same points; alternating rounds.
 * 2. Spans/s into the trace-agent fake (integration/src/fakes, over HTTP on loopback): SDK-shaped
 *    spans handed to DatadogSpanExporter until delivered, against the anchor, the same spans
 *    already in Datadog form, msgpack-encoded and PUT by hand in requests of the same size.
 *
 * Nothing here gates anything: absolute figures say more about the machine than about the code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { Encoder } from '@msgpack/msgpack';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { ReadableSpanLike, ResourceMetricsLike } from '@otelpack/batching-core';
import StatsD from 'hot-shots';
import { TraceAgentFake } from '../../../integration/src/fakes/datadog-trace-agent-fake';
import { DatadogSpanExporter, DogStatsDMapping, chunksOf, mapSpan, packDatagrams } from '../src';
import { median } from '../../batching-core/bench/lib/stats';

const POINTS = 2_000;
const ROUNDS = 7;
const ROUND_MS = 400;

function rate(run: () => void, units: number): number {
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_MS) {
    run();
    done += units;
  }
  return done / ((performance.now() - start) / 1000);
}

/** One export's worth of points: counters and gauges with four attributes, half each. */
function metricsExport(): ResourceMetricsLike {
  const now: [number, number] = [Math.floor(Date.now() / 1000), 0];
  const points = (offset: number) =>
    Array.from({ length: POINTS / 2 }, (_, i) => ({
      startTime: now,
      endTime: now,
      attributes: {
        route: `/r/${(i + offset) % 50}`,
        method: 'GET',
        status: 200 + (i % 5),
        region: 'eu',
      },
      value: i * 1.5,
    }));
  const descriptor = (name: string) => ({ name, description: '', unit: '', valueType: 1 });
  return {
    resource: { attributes: { 'service.name': 'bench', 'deployment.environment.name': 'prod' } },
    scopeMetrics: [
      {
        scope: { name: 'bench' },
        metrics: [
          {
            descriptor: descriptor('bench.requests'),
            aggregationTemporality: AggregationTemporality.DELTA,
            dataPointType: DataPointType.SUM,
            isMonotonic: true,
            dataPoints: points(0),
          },
          {
            descriptor: descriptor('bench.queue'),
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.GAUGE,
            dataPoints: points(7),
          },
        ],
      },
    ],
  } as ResourceMetricsLike;
}

function encodingBench() {
  const data = metricsExport();
  const mapping = new DogStatsDMapping(
    {
      timestamps: true,
      histograms: 'distributions',
      histogramAggregations: false,
      resourceAttributesAsTags: false,
      globalTags: [],
      fallback: {},
    },
    { maxSeries: 10, idleMs: 3_600_000, initialValue: 'auto' },
  );
  const ours = () => {
    const { records } = mapping.map([data]);
    packDatagrams(records, 1_432);
  };
  const client = new StatsD({
    mock: true,
    datadog: false,
    includeDataDogTags: false,
    maxBufferSize: 1_432,
  } as never);
  const buffer = (client as unknown as { mockBuffer: string[] }).mockBuffer;
  const hotShots = () => {
    buffer.length = 0;
    for (const metric of data.scopeMetrics[0].metrics) {
      const sum = metric.dataPointType === DataPointType.SUM;
      for (const p of metric.dataPoints as {
        attributes: Record<string, unknown>;
        value: number;
        endTime: [number, number];
      }[]) {
        const tags = [
          'service:bench',
          'env:prod',
          ...Object.entries(p.attributes).map(([k, v]) => `${k}:${String(v)}`),
        ];
        const options = { tags, timestamp: p.endTime[0] };
        if (sum) client.increment(metric.descriptor.name, p.value, options);
        else client.gauge(metric.descriptor.name, p.value, options);
      }
    }
  };
  ours();
  hotShots();
  const oursRates: number[] = [];
  const anchorRates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    oursRates.push(rate(ours, POINTS));
    anchorRates.push(rate(hotShots, POINTS));
  }
  client.close();
  return { ours: median(oursRates), anchor: median(anchorRates) };
}

function spans(count: number): ReadableSpanLike[] {
  const base = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const trace = (Math.floor(i / 10) + 1).toString(16).padStart(32, '0');
    return {
      name: 'GET /items/:id',
      kind: i % 10 === 0 ? 1 : 2,
      spanContext: () => ({
        traceId: trace,
        spanId: (i + 1).toString(16).padStart(16, '0'),
        traceFlags: 1,
      }),
      parentSpanContext:
        i % 10 === 0
          ? undefined
          : {
              traceId: trace,
              spanId: (Math.floor(i / 10) * 10 + 1).toString(16).padStart(16, '0'),
              traceFlags: 1,
            },
      startTime: [Math.floor(base / 1000), 0],
      endTime: [Math.floor(base / 1000), 5_000_000],
      duration: [0, 5_000_000],
      status: { code: 0 },
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/items/:id',
        'http.response.status_code': 200,
        'db.system': 'postgresql',
      },
      links: [],
      events: [],
      ended: true,
      resource: { attributes: { 'service.name': 'bench', 'deployment.environment.name': 'prod' } },
      instrumentationScope: { name: 'bench' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    } as unknown as ReadableSpanLike;
  });
}

async function spansBench() {
  const fake = new TraceAgentFake();
  const url = await fake.listen();
  const batch = spans(500);
  const total = 20_000;
  const exporter = new DatadogSpanExporter({ url, deliveryMode: 'direct', maxBatchItems: 500 });
  const encoder = new Encoder({ useBigInt64: true });
  const chunks = chunksOf(batch.map((s) => mapSpan(s)));
  // Ours: the SDK's export() calls, 500 spans each, until delivered.
  const ours = async (count: number) => {
    const start = performance.now();
    for (let sent = 0; sent < count; sent += batch.length) {
      await new Promise<void>((done) => exporter.export(batch as never, () => done()));
    }
    return count / ((performance.now() - start) / 1000);
  };
  // Anchor: the same spans already in Datadog form, encoded and PUT by hand.
  const anchor = async (count: number) => {
    const start = performance.now();
    for (let sent = 0; sent < count; sent += batch.length) {
      const response = await fetch(`${url}/v0.4/traces`, {
        method: 'PUT',
        body: encoder.encode(chunks),
        headers: {
          'content-type': 'application/msgpack',
          'x-datadog-trace-count': String(chunks.length),
        },
      });
      await response.arrayBuffer();
    }
    return count / ((performance.now() - start) / 1000);
  };
  // Warm both paths (JIT, connections) before measuring; then alternate rounds.
  await ours(5_000);
  await anchor(5_000);
  const oursRates: number[] = [];
  const anchorRates: number[] = [];
  for (let i = 0; i < 3; i++) {
    oursRates.push(await ours(total));
    anchorRates.push(await anchor(total));
  }
  await exporter.shutdown();
  const stats = exporter.stats();
  await fake.close();
  return {
    ours: median(oursRates),
    anchor: median(anchorRates),
    delivered: stats.delivered,
    droppedTotal: stats.droppedTotal,
  };
}

async function main(): Promise<void> {
  const encoding = encodingBench();
  const traces = await spansBench();
  const rows = [
    [
      'metric lines (points/s)',
      'hot-shots per-call API (mock)',
      Math.round(encoding.ours),
      Math.round(encoding.anchor),
      (encoding.ours / encoding.anchor).toFixed(2),
    ],
    [
      'spans into the trace-agent fake (spans/s)',
      'pre-mapped spans, msgpack + fetch PUT',
      Math.round(traces.ours),
      Math.round(traces.anchor),
      (traces.ours / traces.anchor).toFixed(2),
    ],
  ];
  const header = ['measure', 'anchor', 'ours', 'anchor', 'ours / anchor'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => String(r[c]).length)));
  const line = (r: (string | number)[]) =>
    `| ${r.map((v, c) => String(v).padEnd(widths[c])).join(' | ')} |`;
  process.stdout.write(
    `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`,
  );
  const out = resolve(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    resolve(out, 'latest.json'),
    `${JSON.stringify({ node: process.version, cpus: os.cpus().length, encoding, traces }, null, 2)}\n`,
  );
}

void main();
